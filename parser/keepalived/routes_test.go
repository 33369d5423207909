package keepalived

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
)

func TestParseRoute(t *testing.T) {
	p := netip.MustParsePrefix
	a := netip.MustParseAddr
	for _, tc := range []struct {
		line string
		want Route
	}{
		{"10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5",
			Route{Dst: p("10.50.0.0/16"), Via: a("192.168.110.254"), Dev: "ens160", Table: 200, Metric: 5}},
		{"unreachable 10.60.0.0/16", Route{Dst: p("10.60.0.0/16"), Type: rtnUnreachable}},
		{"blackhole 10.30.0.0/16", Route{Dst: p("10.30.0.0/16"), Type: rtnBlackhole}},
		{"src 192.168.110.100 10.70.0.0/16 dev ens160", Route{Dst: p("10.70.0.0/16"), Src: a("192.168.110.100"), Dev: "ens160"}},
		{"to 10.1.2.3 gw 10.0.0.1 scope link proto static", Route{Dst: p("10.1.2.3/32"), Via: a("10.0.0.1"), Scope: 253, Protocol: 4}},
		{"default via 192.168.110.1 table main", Route{Dst: p("0.0.0.0/0"), Via: a("192.168.110.1"), Table: 254}},
		{"default via fe80::1 dev ens160", Route{Dst: p("::/0"), Via: a("fe80::1"), Dev: "ens160"}},
		{"2001:db8::/64 dev ens160 preference 7 mtu 1400 advmss 1360 onlink no_track",
			Route{Dst: p("2001:db8::/64"), Dev: "ens160", Metric: 7, MTU: 1400, AdvMSS: 1360, OnLink: true, NoTrack: true}},
		{"local 10.9.9.9 dev lo", Route{Dst: p("10.9.9.9/32"), Dev: "lo", Type: rtnLocal, Scope: 254}},
		{"10.1.0.0/17 dev ens160 initcwnd 10 initrwnd 20 tos 4 oif ens160",
			Route{Dst: p("10.1.0.0/17"), Dev: "ens160", InitCwnd: 10, InitRwnd: 20, TOS: 4}},
	} {
		got, err := ParseRoute(strings.Fields(tc.line))
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		tc.want.Text = tc.line
		if tc.want.Type == 0 {
			tc.want.Type = RTNUnicast
		}
		if tc.want.Protocol == 0 {
			tc.want.Protocol = rtProtKeepalived
		}
		if got != tc.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.line, got, tc.want)
		}
	}
}

func TestParseRouteErrors(t *testing.T) {
	for line, want := range map[string]string{
		"10.0.0.0/8 nexthop via 10.0.0.1":      `"nexthop" is not supported`,
		"10.0.0.0/8 via 10.0.0.1 or 10.0.0.2":  `"or" is not supported`,
		"10.0.0.0/8 table vrf_red":             `table vrf_red`,
		"10.0.0.0/8 via":                       "needs a value",
		"via 10.0.0.1":                         "no destination",
		"10.0.0.0/8 via fe80::1":               "mixes IPv4 and IPv6",
		"10.0.0.0/8 10.1.0.0/16":               "unknown route option",
		"10.0.0.0/8 metric x":                  "invalid metric",
		"10.0.0.0/8 from 10.1.1.1 dev ens160":  `"from" is not supported`,
		"10.0.0.0/8 dev ens160 realms 3":       `"realms" is not supported`,
		"bogus":                                "invalid address",
		"10.0.0.0/8 scope galaxy":              "invalid scope",
		"10.0.0.0/8 dev ens160 encap mpls 200": `"encap" is not supported`,
	} {
		_, err := ParseRoute(strings.Fields(line))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", line, err, want)
		}
	}
	_, err := ParseRoute(strings.Fields("10.0.0.0/8 nexthop via 10.0.0.1"))
	var u UnsupportedOptionError
	if !errors.As(err, &u) || u.Option != "nexthop" {
		t.Errorf("nexthop: %#v", err)
	}
}

func TestParseRule(t *testing.T) {
	p := netip.MustParsePrefix
	mask := uint32(0xff)
	for _, tc := range []struct {
		line  string
		check func(Rule) bool
	}{
		{"from 10.80.0.0/16 table 200 priority 200", func(r Rule) bool {
			return r.From == p("10.80.0.0/16") && r.Table == 200 && r.Priority == 200 && !r.IPv6 && r.Protocol == rtProtKeepalived
		}},
		{"to 10.90.0.0/16 lookup 201 preference 201", func(r Rule) bool { return r.To == p("10.90.0.0/16") && r.Table == 201 && r.Priority == 201 }},
		{"from all to 2001:db8::/32 table main order 5", func(r Rule) bool {
			return r.IPv6 && !r.From.IsValid() && r.Table == 254 && r.Priority == 5
		}},
		{"fwmark 0x10/0xff table 7", func(r Rule) bool { return r.Mark == 16 && r.Mask != nil && *r.Mask == mask && r.Priority == -1 }},
		{"iif ens160 oif lo not ipproto tcp sport 80 dport 1000-2000 uidrange 10-20 tos 8 table 9", func(r Rule) bool {
			return r.Iif == "ens160" && r.Oif == "lo" && r.Invert && r.IPProto == 6 && *r.Sport == [2]uint16{80, 80} &&
				*r.Dport == [2]uint16{1000, 2000} && *r.UIDRange == [2]uint32{10, 20} && r.TOS == 8
		}},
		{"from 10.0.0.0/8 goto 100 priority 50", func(r Rule) bool { return r.Goto == 100 && r.Type == FRActGoto }},
		{"from 10.0.0.0/8 blackhole priority 51", func(r Rule) bool { return r.Type == FRActBlackhole }},
		{"table 100 suppress_prefixlength 0 suppress_ifgroup 3 priority 1", func(r Rule) bool {
			return r.SuppressPrefixlen == 0 && r.SuppressIfgroup == 3
		}},
	} {
		got, err := ParseRule(strings.Fields(tc.line))
		if err != nil {
			t.Errorf("%q: %v", tc.line, err)
			continue
		}
		if got.Text != tc.line || !tc.check(got) {
			t.Errorf("%q: %+v", tc.line, got)
		}
	}
	for line, want := range map[string]string{
		"to 10.90.0.0/16 lookup 201 pref 201": "Unknown rule option pref", // as keepalived 2.2.7 logs it
		"from 10.0.0.0/8 to fd00::/8":         "mixes IPv4 and IPv6",
		"from 10.0.0.0/8 realms 4":            `"realms" is not supported`,
		"fwmark x/y":                          "invalid fwmark",
		"uidrange 20-10":                      "invalid uidrange",
		"dport 99999":                         "invalid port range",
		"from":                                "needs a value",
	} {
		_, err := ParseRule(strings.Fields(line))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", line, err, want)
		}
	}
}

// FuzzParseRouteRule: any words either parse into something consistent or
// fail; never a panic, never a route without a destination.
func FuzzParseRouteRule(f *testing.F) {
	for _, s := range []string{
		"10.50.0.0/16 via 192.168.110.254 dev ens160 table 200 metric 5", "unreachable 10.60.0.0/16",
		"default via fe80::1 dev ens160", "from 10.80.0.0/16 table 200 priority 200", "fwmark 0x10/0xff table 7",
		"uidrange 1-2 sport 1-2", "to", "nexthop via 1.2.3.4",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		words := strings.Fields(s)
		if r, err := ParseRoute(words); err == nil {
			if !r.Dst.IsValid() || (r.Via.IsValid() && r.Via.Is4() != r.Dst.Addr().Is4()) {
				t.Fatalf("%q: %+v", s, r)
			}
		}
		if r, err := ParseRule(words); err == nil {
			if (r.From.IsValid() && r.From.Addr().Is6() != r.IPv6) || (r.To.IsValid() && r.To.Addr().Is6() != r.IPv6) {
				t.Fatalf("%q: %+v", s, r)
			}
		}
	})
}
