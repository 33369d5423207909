package keepalived

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var seedIfaces = []string{"lo", "ens160"}

func lintSeed(t *testing.T, name string) *Result {
	t.Helper()
	return Lint(Options{File: filepath.Join("..", "..", "testdata", "seed", name), Interfaces: seedIfaces})
}

// The seed's lb1 after keepalived's rewrites: strict mode drops PASS auth and
// demotes state MASTER (priority 100 is not the address owner) to BACKUP.
func TestSeedLB1Config(t *testing.T) {
	r := lintSeed(t, "keepalived-lb1.conf")
	if r.ExitCode != 5 {
		t.Fatalf("exit %d, want 5\n%s", r.ExitCode, Format(r.Diagnostics))
	}
	c := r.Config
	g := c.Global
	if g.RouterID != "LVS_DEVEL" || !g.Strict || !g.SkipCheckAdvAddr || g.GarpInterval != 100*time.Second || g.GnaInterval != 100*time.Second {
		t.Errorf("global %+v", g)
	}
	if len(c.Instances) != 1 {
		t.Fatalf("instances %d", len(c.Instances))
	}
	in := c.Instances[0]
	want := netip.MustParsePrefix("192.168.110.100/24")
	if in.Name != "lb_ha" || in.State != "BACKUP" || in.Interface != "ens160" || in.VRID != 51 || in.Priority != 100 ||
		in.AdvertInt != time.Second || in.Version != 2 || in.AuthType != "" || in.Accept || !in.Strict ||
		len(in.VIPs) != 1 || in.VIPs[0].Prefix != want || !in.LowerPrioNoAdvert || in.GarpMasterRepeat != 5 ||
		in.GarpMasterDelay != 5*time.Second || in.GarpLowerPrioRepeat != 0 {
		t.Errorf("instance %+v", in)
	}
	var strictNotice bool
	for _, d := range r.Diagnostics {
		if d.GohaOnly && containsAll(d.Hint, "version 3", "accept") && containsAll(d.Message, "vrrp_strict without accept", "192.168.110.100", "dropped") {
			strictNotice = true
		}
	}
	if !strictNotice {
		t.Errorf("no strict/accept explanation in\n%s", Format(r.Diagnostics))
	}
}

// The hint names what makes the VIP reachable under vrrp_strict: VRRPv3 keeps
// accept, VRRPv2 resets it (keepalived 2.2.7), so v2 needs `version 3` too.
func TestStrictAcceptHint(t *testing.T) {
	cases := []struct {
		lines    string
		noticed  bool
		hintHas  string
		hintLack string
	}{
		{"", true, "add `version 3` and `accept`", ""},
		{"accept\n", true, "add `version 3` to vrrp_instance V", ""},
		{"version 3\n", true, "add `accept` to vrrp_instance V", "version 3"},
		{"version 3\naccept\n", false, "", ""},
	}
	for _, c := range cases {
		src := "global_defs {\nvrrp_strict\n}\nvrrp_instance V {\ninterface ens160\nvirtual_router_id 5\npriority 100\n" +
			c.lines + "virtual_ipaddress {\n192.168.110.100/24\n}\n}\n"
		r := Lint(Options{File: "x.conf", Data: []byte(src), Interfaces: seedIfaces})
		var hint string
		noticed := false
		for _, d := range r.Diagnostics {
			if d.GohaOnly && strings.Contains(d.Message, "vrrp_strict without accept") {
				noticed, hint = true, d.Hint
			}
		}
		if noticed != c.noticed || !strings.Contains(hint, c.hintHas) || (c.hintLack != "" && strings.Contains(hint, c.hintLack)) {
			t.Errorf("%q: noticed=%v hint %q", c.lines, noticed, hint)
		}
	}
}

func TestSeedLB2Config(t *testing.T) {
	for _, name := range []string{"keepalived-lb2.conf", "keepalived-lb2-annotated.conf"} {
		r := lintSeed(t, name)
		got := MessageSet(r.Diagnostics)
		want := []string{
			"(Line 7) number '0' outside range [0.000001, 4294.967295]",
			"(Line 7) vrrp_garp_interval '0' is invalid",
			"(Line 8) number '0' outside range [0.000001, 4294.967295]",
			"(Line 8) vrrp_gna_interval '0' is invalid",
			"(lb_ha) Strict mode does not support authentication. Ignoring.",
		}
		if r.ExitCode != 5 || !equalStrings(got, want) {
			t.Errorf("%s: exit %d messages %q", name, r.ExitCode, got)
		}
		in := r.Config.Instances[0]
		if in.State != "BACKUP" || in.Priority != 90 || r.Config.Global.GarpInterval != 0 {
			t.Errorf("%s: %+v", name, in)
		}
	}
}

func TestInstanceDefaults(t *testing.T) {
	src := `vrrp_instance V {
	state MASTER
	interface ens160
	virtual_router_id 7
	advert_int 0.5
	version 3
	virtual_ipaddress {
		10.0.0.1/24 dev ens160 label ens160:1 scope link
		fe80::1
	}
	virtual_ipaddress_excluded {
		10.0.0.9
	}
	unicast_src_ip 10.0.0.2
	unicast_peer {
		10.0.0.3 min_ttl 2 max_ttl 9
	}
	track_interface {
		ens160 weight -20 reverse
	}
}
`
	r := Lint(Options{File: "x.conf", Data: []byte(src), Interfaces: seedIfaces})
	in := r.Config.Instances[0]
	if in.Priority != 255 || in.State != "MASTER" || in.AdvertInt != 500*time.Millisecond || !in.Accept {
		t.Errorf("defaults: %+v", in)
	}
	if len(in.VIPs) != 1 || in.VIPs[0].Dev != "ens160" || in.VIPs[0].Label != "ens160:1" || in.VIPs[0].Scope != "link" || len(in.ExcludedVIPs) != 1 {
		t.Errorf("vips %+v excluded %+v", in.VIPs, in.ExcludedVIPs)
	}
	if in.UnicastSrc != netip.MustParseAddr("10.0.0.2") || len(in.UnicastPeers) != 1 || in.UnicastPeers[0].MinTTL != 2 || in.UnicastPeers[0].MaxTTL != 9 {
		t.Errorf("unicast %+v %+v", in.UnicastSrc, in.UnicastPeers)
	}
	if len(in.TrackInterfaces) != 1 || in.TrackInterfaces[0].Weight != -20 || !in.TrackInterfaces[0].Reverse {
		t.Errorf("track %+v", in.TrackInterfaces)
	}
	if !hasMessage(r, "(Line 9) (V): address family must match VRRP instance [fe80::1] - ignoring") {
		t.Errorf("family mix not reported:\n%s", Format(r.Diagnostics))
	}
}

func TestTypoHint(t *testing.T) {
	r := Lint(Options{File: "x.conf", Data: []byte("vrrp_instance V {\n priorty 5\n}\n"), Interfaces: seedIfaces})
	for _, d := range r.Diagnostics {
		if d.Message == "Unknown keyword 'priorty'" {
			if d.Hint != "did you mean 'priority'?" {
				t.Errorf("hint %q", d.Hint)
			}
			if d.Text() != "(x.conf: Line 2) Unknown keyword 'priorty'" {
				t.Errorf("text %q", d.Text())
			}
			return
		}
	}
	t.Errorf("no unknown keyword in\n%s", Format(r.Diagnostics))
}

func TestUnsupportedReported(t *testing.T) {
	// a virtual server keepalived 2.2.7 takes without a word (a server with
	// no real server, protocol, scheduler or method gets checker messages)
	src := "global_defs {\n no_checker_emails\n}\nvirtual_server 10.0.0.1 80 {\n delay_loop 6\n lb_algo rr\n lb_kind NAT\n protocol TCP\n real_server 10.0.0.2 80 {\n }\n}\n"
	r := Lint(Options{File: "x.conf", Data: []byte(src), Interfaces: seedIfaces})
	if r.ExitCode != 0 {
		t.Errorf("unsupported keywords must not change keepalived's exit code: %d\n%s", r.ExitCode, Format(r.Diagnostics))
	}
	if r.LintExitCode != ExitUnsupported {
		t.Errorf("gokeepalived -t must fail on an unsupported keyword: %d", r.LintExitCode)
	}
	want := map[string]bool{
		"goha: (x.conf: Line 2) 'no_checker_emails' has no effect in goha: " + whyCheckerEmail:    false,
		"goha: (x.conf: Line 4) 'virtual_server' is parsed but not supported by gokeepalived yet": false,
	}
	for _, d := range r.Diagnostics {
		if _, ok := want[d.Text()]; ok {
			want[d.Text()] = true
		}
	}
	for k, seen := range want {
		if !seen {
			t.Errorf("missing %q in\n%s", k, Format(r.Diagnostics))
		}
	}
}

func TestExitCodes(t *testing.T) {
	mk := func(c Class) []Diagnostic { return []Diagnostic{{Class: c}} }
	cases := []struct {
		d    []Diagnostic
		want int
	}{
		{nil, 0}, {mk(ClassNone), 0}, {mk(ClassFileNotFound), 4}, {mk(ClassBadInterface), 4},
		{mk(ClassUnknownKeyword), 5}, {mk(ClassSecurity), 6}, {mk(ClassAbort), 2},
		{append(mk(ClassBadInterface), mk(ClassWarning)...), 5},
		{[]Diagnostic{{Class: ClassSecurity, GohaOnly: true}}, 0},
	}
	for i, c := range cases {
		if got := ExitCode(c.d); got != c.want {
			t.Errorf("case %d: %d want %d", i, got, c.want)
		}
	}
}

func hasMessage(r *Result, m string) bool {
	for _, s := range MessageSet(r.Diagnostics) {
		if s == m {
			return true
		}
	}
	return false
}

func containsAll(s string, subs ...string) bool {
	for _, x := range subs {
		if !contains(s, x) {
			return false
		}
	}
	return true
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
