package keepalived

import (
	"net/netip"
	"strings"
	"testing"
)

func addr(s string) netip.Addr { return netip.MustParseAddr(s) }

func intp(v int) *int { return &v }

// rsAt is a real server at addr:port with the virtual server's method.
func rsAt(a string, port int) *RealServer { return &RealServer{Addr: addr(a), Port: port} }

// A complete, valid service: the base the table below modifies.
func validVS() *VirtualServer {
	vs := NewVirtualServer(Pos{})
	vs.Addr, vs.Port, vs.Protocol = addr("10.0.0.1"), 80, "tcp"
	vs.Scheduler, vs.Forwarding = "rr", FwdNAT
	vs.RealServers = []*RealServer{rsAt("10.0.0.2", 80)}
	return vs
}

// The end-of-parse checks in keepalived 2.2.7's words and order; each row
// was seen from the real daemon (the goldens in testdata/keepalived hold
// the same cases as whole configurations).
func TestIPVSValidate(t *testing.T) {
	groups := map[string]*VSGroup{
		"FW":  {Name: "FW", Fwmarks: []uint32{5}},
		"RG":  {Name: "RG", Ranges: []VSGRange{{Start: addr("10.0.0.1"), End: addr("10.0.0.1"), Port: 80}, {Start: addr("10.0.0.10"), End: addr("10.0.0.12"), Port: 81}}},
		"MIX": {Name: "MIX", Ranges: []VSGRange{{Start: addr("10.0.0.1"), End: addr("10.0.0.1"), Port: 80}}, Fwmarks: []uint32{7}},
		"Z":   {Name: "Z", Ranges: []VSGRange{{Start: addr("10.0.0.1"), End: addr("10.0.0.1"), Port: 0}}},
	}
	tests := []struct {
		name string
		edit func(vs *VirtualServer)
		want []string
		then func(t *testing.T, vs *VirtualServer)
	}{
		{name: "valid", edit: func(*VirtualServer) {}},
		{name: "defaults in order: protocol, scheduler, method",
			edit: func(vs *VirtualServer) { vs.Protocol, vs.Scheduler, vs.Forwarding = "", "", "" },
			want: []string{
				"Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP",
				"Virtual server [10.0.0.1]:udp:80: no scheduler set, setting default 'wlc'",
				"Virtual server [10.0.0.1]:udp:80: no forwarding method set, setting default NAT",
			},
			then: func(t *testing.T, vs *VirtualServer) {
				if vs.Protocol != "udp" || vs.Scheduler != "wlc" || vs.RealServers[0].Forwarding != FwdNAT {
					t.Errorf("defaults not applied: %+v", vs)
				}
			}},
		{name: "method of the real server needs none from the service",
			edit: func(vs *VirtualServer) { vs.Forwarding = ""; vs.RealServers[0].Forwarding = FwdDR }},
		{name: "no real servers", edit: func(vs *VirtualServer) { vs.RealServers = nil },
			want: []string{"Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring"}},
		{name: "zero port", edit: func(vs *VirtualServer) { vs.Port = 0 },
			want: []string{"Virtual server [10.0.0.1]:tcp:0: zero port only valid for persistent services - setting"},
			then: func(t *testing.T, vs *VirtualServer) {
				if vs.PersistenceTimeout != 360 {
					t.Errorf("persistence %d", vs.PersistenceTimeout)
				}
			}},
		{name: "zero port, persistent", edit: func(vs *VirtualServer) { vs.Port, vs.PersistenceTimeout = 0, 50 }},
		{name: "fwmark with protocol", edit: func(vs *VirtualServer) { vs.Addr, vs.IsFwmark, vs.Fwmark = netip.Addr{}, true, 1 },
			want: []string{"Warning: Virtual server FWM 1: protocol specified for fwmark - protocol will be ignored"}},
		{name: "fwmark DR real server with port",
			edit: func(vs *VirtualServer) {
				vs.Addr, vs.IsFwmark, vs.Fwmark, vs.Protocol, vs.Forwarding = netip.Addr{}, true, 3, "", FwdDR
			},
			want: []string{"WARNING - fwmark virtual server FWM 3, real server [10.0.0.2]:none:80 has port specified - clearing"},
			then: func(t *testing.T, vs *VirtualServer) {
				if vs.RealServers[0].Port != 0 {
					t.Errorf("port kept")
				}
			}},
		{name: "DR port mismatch resets, missing port taken",
			edit: func(vs *VirtualServer) {
				vs.Forwarding = FwdDR
				vs.RealServers = []*RealServer{rsAt("10.0.0.2", 8080), rsAt("10.0.0.3", 0)}
			},
			want: []string{"WARNING - virtual server [10.0.0.1]:tcp:80 and real server [10.0.0.2]:tcp:8080 ports don't match - resetting"},
			then: func(t *testing.T, vs *VirtualServer) {
				if vs.RealServers[0].Port != 80 || vs.RealServers[1].Port != 80 {
					t.Errorf("ports %d %d", vs.RealServers[0].Port, vs.RealServers[1].Port)
				}
			}},
		{name: "NAT translates ports", edit: func(vs *VirtualServer) { vs.RealServers[0].Port = 8080 }},
		{name: "group of fwmarks: protocol reset before the port warning",
			edit: func(vs *VirtualServer) { vs.Addr, vs.Port, vs.Group, vs.Forwarding = netip.Addr{}, 0, "FW", FwdDR },
			want: []string{
				"Warning: Virtual server [FW]:0: protocol specified for fwmark - protocol will be ignored",
				"WARNING - fwmark virtual server [FW]:0, real server [10.0.0.2]:none:80 has port specified - port will be ignored",
			}},
		{name: "group with addresses and a fwmark keeps its protocol",
			edit: func(vs *VirtualServer) { vs.Addr, vs.Port, vs.Group, vs.Forwarding = netip.Addr{}, 0, "MIX", FwdDR },
			want: []string{"WARNING - fwmark virtual server [MIX]:0, real server [10.0.0.2]:tcp:80 has port specified - port will be ignored"}},
		{name: "group ranges against a DR real server",
			edit: func(vs *VirtualServer) { vs.Addr, vs.Port, vs.Group, vs.Forwarding = netip.Addr{}, 0, "RG", FwdDR },
			want: []string{"virtual server [RG]:0:[10.0.0.10-10.0.0.12,81] and real server [10.0.0.2]:tcp:80 ports don't match"}},
		{name: "group range with zero port",
			edit: func(vs *VirtualServer) { vs.Addr, vs.Port, vs.Group = netip.Addr{}, 0, "Z" },
			want: []string{"Virtual server [Z]:0: zero port only valid for persistent services - setting"}},
		{name: "unknown group: dropped without a word", edit: func(vs *VirtualServer) { vs.Group = "NOPE"; vs.Scheduler = "" }},
		{name: "duplicate real server, quorum over the weights, hysteresis wraps",
			edit: func(vs *VirtualServer) {
				vs.Quorum, vs.Hysteresis = 5, 7
				vs.RealServers = []*RealServer{{Addr: addr("10.0.0.2"), Port: 80, Weight: intp(0)}, {Addr: addr("10.0.0.2"), Port: 80, Weight: intp(2)}}
			},
			want: []string{
				"VS [10.0.0.1]:tcp:80: real server [10.0.0.2]:tcp:80 is duplicated - removing second rs",
				"Warning - quorum 5 for [10.0.0.1]:tcp:80 exceeds total weight of real servers 0, reducing quorum to 0",
				"Virtual server [10.0.0.1]:tcp:80: hysteresis 7 >= quorum 0; setting hysteresis to 4294967295",
			}},
		{name: "service weight is the real servers' default",
			edit: func(vs *VirtualServer) {
				vs.Weight, vs.Quorum = 3, 10
				vs.RealServers = append(vs.RealServers, rsAt("10.0.0.3", 80))
			},
			want: []string{"Warning - quorum 10 for [10.0.0.1]:tcp:80 exceeds total weight of real servers 6, reducing quorum to 6"}},
		{name: "DR sorry server port",
			edit: func(vs *VirtualServer) { vs.Forwarding = FwdDR; vs.Sorry = rsAt("10.0.0.9", 8080) },
			want: []string{"WARNING - virtual server [10.0.0.1]:tcp:80 and sorry server ports don't match - resetting"}},
		{name: "IPv6 service", edit: func(vs *VirtualServer) { vs.Addr, vs.Protocol = addr("2001:db8::1"), "" },
			want: []string{"Virtual server [2001:db8::1]:none:80: no protocol set - defaulting to UDP"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vs := validVS()
			tc.edit(vs)
			c := &IPVSConfig{Groups: groups, VirtualServers: []*VirtualServer{vs}}
			got := c.Validate()
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
			if tc.then != nil {
				tc.then(t, vs)
			}
		})
	}
}

func TestParseVSGRange(t *testing.T) {
	tests := []struct {
		in   string
		want string // String() with port 0, "" = refused
	}{
		{"192.168.110.101-105", "192.168.110.101-192.168.110.105,0"},
		{"192.168.110.100", "192.168.110.100,0"},
		{"2001:db8::20-2f", "2001:db8::20-2001:db8::2f,0"},
		{"192.168.110.1-256", ""},
		{"192.168.110.1-x", ""},
		{"2001:db8::1-fffff", ""},
		{"nope", ""},
	}
	for _, tc := range tests {
		r, ok := parseVSGRange(tc.in)
		got := ""
		if ok {
			got = r.String()
		}
		if got != tc.want {
			t.Errorf("%s: got %q want %q", tc.in, got, tc.want)
		}
	}
}

// The checker's parse-time messages carry the line; virtual servers stay
// "parsed but not supported" for the runtime.
func TestIPVSLint(t *testing.T) {
	src := `virtual_server 10.0.0.1 80 {
    lb_algo fastest
    lb_kind TUNNEL
    protocol TCP
    real_server 10.0.0.2 80 {
        lvs_method dr
        weight -1
    }
}
`
	r := Lint(Options{File: "x.conf", Data: []byte(src), Interfaces: seedIfaces})
	want := []string{
		"(Line 2) Invalid lvs_scheduler 'fastest' - ignoring",
		"(Line 3) PARSER : unknown [TUNNEL] routing method for virtual server.",
		"(Line 6) PARSER : unknown [dr] routing method for real server.",
		"(Line 7) Real server weight -1 is outside range 0-2147483647",
		"(Line 7) negative number '-1'",
		"Virtual server [10.0.0.1]:tcp:80: no forwarding method set, setting default NAT",
		"Virtual server [10.0.0.1]:tcp:80: no scheduler set, setting default 'wlc'",
	}
	if got := MessageSet(r.Diagnostics); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r.ExitCode != 5 {
		t.Errorf("exit %d", r.ExitCode)
	}
	if r.IPVS == nil || len(r.IPVS.VirtualServers) != 1 || r.IPVS.VirtualServers[0].Scheduler != DefaultScheduler {
		t.Errorf("IPVS model: %+v", r.IPVS)
	}
	for _, d := range r.Diagnostics {
		if strings.Contains(d.Message, "no scheduler set") && !strings.Contains(d.Hint, "lb_algo") {
			t.Errorf("no hint for %q: %q", d.Message, d.Hint)
		}
	}
	found := false
	for _, u := range r.Config.Unsupported {
		found = found || u.Keyword == "virtual_server"
	}
	if !found {
		t.Errorf("virtual_server not reported as unsupported: %+v", r.Config.Unsupported)
	}
}

// AH: keepalived moves a non-owner MASTER to BACKUP; gokeepalived also says
// that it does not run AH.
func TestAuthAH(t *testing.T) {
	inst := func(state, prio string) string {
		return "vrrp_instance V {\n state " + state + "\n interface eth0\n virtual_router_id 1\n" + prio +
			" authentication {\n  auth_type AH\n  auth_pass 1111\n }\n virtual_ipaddress {\n  10.0.0.100/24\n }\n}\n"
	}
	tests := []struct {
		name, src, msg, state string
	}{
		{"master non-owner", inst("MASTER", " priority 100\n"), "(V) Initial state master is incompatible with AH authentication - clearing", "BACKUP"},
		{"master owner", inst("MASTER", " priority 255\n"), "", "MASTER"},
		{"master, priority defaults to owner", inst("MASTER", ""), "", "MASTER"},
		{"backup", inst("BACKUP", " priority 100\n"), "", "BACKUP"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := Lint(Options{File: "x.conf", Data: []byte(tc.src), Interfaces: []string{"eth0"}})
			got := MessageSet(r.Diagnostics)
			if tc.msg == "" && len(got) != 0 || tc.msg != "" && (len(got) != 1 || got[0] != tc.msg) {
				t.Errorf("messages %q, want %q", got, tc.msg)
			}
			in := r.Config.Instances[0]
			if in.State != tc.state || in.AuthType != "AH" {
				t.Errorf("state %s auth %q", in.State, in.AuthType)
			}
			noticed := false
			for _, d := range r.Diagnostics {
				noticed = noticed || (d.GohaOnly && strings.Contains(d.Message, "'auth_type AH' is parsed but not supported"))
			}
			if !noticed {
				t.Errorf("AH not reported as unsupported:\n%s", Format(r.Diagnostics))
			}
		})
	}
	r := Lint(Options{File: "x.conf", Data: []byte(strings.Replace(inst("BACKUP", ""), "  auth_pass 1111\n", "", 1)), Interfaces: []string{"eth0"}})
	if got := MessageSet(r.Diagnostics); len(got) != 1 || got[0] != "(V) Authentication specified but no password given. Ignoring" || r.Config.Instances[0].AuthType != "" {
		t.Errorf("no password: %q auth %q", got, r.Config.Instances[0].AuthType)
	}
}

// Group lines keepalived refuses are skipped with its message; a group
// mixing IPv4, IPv6 and a fwmark without family is removed at its '}', and
// a service using it is dropped without a word.
func TestVSGroupLint(t *testing.T) {
	src := `virtual_server_group G {
    fwmark abc
    10.0.0.1 99999
    10.0.0.10-5 80
    10.0.0.20-300 80
    10.0.0.30 0
    2001:db8::1 80
    fwmark 1
}
virtual_server group G {
    real_server 10.0.0.2 80 {
    }
}
virtual_server_group H {
    10.0.0.1-3 80
}
`
	r := Lint(Options{File: "x.conf", Data: []byte(src), Interfaces: seedIfaces})
	want := []string{
		"(Line 2) (G): fwmark 'abc' must be in [0, 4294967295] - ignoring",
		"(Line 2) invalid number 'abc'",
		"(Line 3) Invalid virtual server group IP address 10.0.0.1 /port/99999 - skipping",
		"(Line 3) number '99999' outside range [1, 65535]",
		"(Line 4) Address range end is not greater than address range start - 10.0.0.10-5 - skipping",
		"(Line 5) Virtual server group range '10.0.0.20-300' end '300' too large",
		"(Line 9) virtual server group G cannot have IPv4, IPv6 and fwmark without family - removing",
	}
	if got := MessageSet(r.Diagnostics); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(r.IPVS.VirtualServers) != 0 || r.IPVS.Groups["G"] != nil {
		t.Errorf("group G or its service kept: %+v", r.IPVS)
	}
	if h := r.IPVS.Groups["H"]; h == nil || h.Ranges[0].String() != "10.0.0.1-10.0.0.3,80" {
		t.Errorf("group H: %+v", h)
	}
}

// keepalived's checker timers: decimal seconds read as microseconds, with
// its number reader's words for refused values.
func TestReadTimer(t *testing.T) {
	tests := []struct {
		in     string
		lo, hi uint64
		want   uint64
		ok     bool
		msgs   string
	}{
		{"6", 1, timerMax, 6000000, true, ""},
		{".5", 1, timerMax, 500000, true, ""},
		{"+3", 1, timerMax, 3000000, true, ""},
		{"1.0000005", 1, timerMax, 1000001, true, "number '1.0000005' has too many decimal places"},
		{"1.0000004", 1, timerMax, 1000000, true, "number '1.0000004' has too many decimal places"},
		{"0", 1, timerMax, 0, false, "number '0' outside range [0.000001, 18446744073709.551614]"},
		{"5000", 1, timerMaxUint, 0, false, "number '5000' outside range [0.000001, 4294.967295]"},
		{"-1", 0, timerMax, 0, false, "negative number '-1'"},
		{"x", 0, timerMax, 0, false, "invalid number 'x'"},
		{"1e3", 0, timerMax, 0, false, "invalid number '1e3'"},
		{"99999999999999999999", 1, timerMax, 0, false, "number '99999999999999999999' outside unsigned decimal range"},
	}
	for _, tc := range tests {
		v, msgs, ok := readTimer(tc.in, tc.lo, tc.hi)
		if ok != tc.ok || (ok && v != tc.want) || strings.Join(msgs, "|") != tc.msgs {
			t.Errorf("%s: got %d %v %q, want %d %v %q", tc.in, v, ok, msgs, tc.want, tc.ok, tc.msgs)
		}
	}
}

func TestCheckerValueReaders(t *testing.T) {
	for s, want := range map[string]bool{"200": true, "200-299": true, "100": true, "599": true,
		"99": false, "600": false, "x": false, "300-200": false, "200-": false} {
		if validStatusCodes(s) != want {
			t.Errorf("status code %q: want %v", s, want)
		}
	}
	for s, want := range map[string]bool{"0a0b": true, "0a0": true, "0A 0B": true, "zz": false, "": false, "  ": false} {
		if validHexString(s) != want {
			t.Errorf("hex string %q: want %v", s, want)
		}
	}
}

// A group service takes its family from its real servers; the group must
// fit it (addresses, and fwmarks given a family).
func TestVSGroupFits(t *testing.T) {
	v4, v6 := addr("10.0.0.2"), addr("2001:db8::2")
	one := func(a string) VSGRange { return VSGRange{Start: addr(a), End: addr(a), Port: 80} }
	tests := []struct {
		name   string
		g      VSGroup
		v4, v6 bool
	}{
		{"IPv4 addresses", VSGroup{Ranges: []VSGRange{one("10.0.0.1")}}, true, false},
		{"both families", VSGroup{Ranges: []VSGRange{one("10.0.0.1"), one("2001:db8::1")}}, false, false},
		{"fwmark without family", VSGroup{Fwmarks: []uint32{1}, fwmarkFamily: []string{""}}, true, true},
		{"fwmark inet6", VSGroup{Fwmarks: []uint32{1}, fwmarkFamily: []string{"inet6"}}, false, true},
	}
	for _, tc := range tests {
		if got4, got6 := tc.g.fits(v4), tc.g.fits(v6); got4 != tc.v4 || got6 != tc.v6 {
			t.Errorf("%s: fits IPv4 %v IPv6 %v, want %v %v", tc.name, got4, got6, tc.v4, tc.v6)
		}
	}
}
