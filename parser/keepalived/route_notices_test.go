package keepalived

import (
	"os"
	"strconv"
	"testing"
)

// The parser types route and rule blocks: installable lines become Route
// and Rule values with their position, the others RejectedLines whose
// notice and diagnostic name the line and the reason.
func TestRouteBlocksAreTyped(t *testing.T) {
	conf := `static_routes {
 10.9.0.0/16 dev eth0
 10.8.0.0/16 nexthop via 10.0.0.1 dev eth0
}
vrrp_instance V {
 interface eth0
 virtual_router_id 9
 virtual_ipaddress {
  10.0.0.9
 }
 virtual_rules {
  from 10.1.0.0/16 table 100 preference 10
  from 10.2.0.0/16 bogus 1
 }
}
`
	r := Lint(Options{File: "k.conf", Data: []byte(conf), ConfigID: "lb", Interfaces: []string{"lo", "eth0"},
		UserExists: func(string) bool { return true }, FileMode: func(string) (os.FileMode, bool) { return 0o755, true }})
	c := r.Config
	if len(c.StaticRoutes.Routes) != 1 || c.StaticRoutes.Routes[0].Dev != "eth0" || c.StaticRoutes.Routes[0].Pos.Line != 2 {
		t.Fatalf("static routes: %+v", c.StaticRoutes)
	}
	in := c.Instances[0]
	if len(in.VirtualRules.Rules) != 1 || in.VirtualRules.Rules[0].Table != 100 || in.VirtualRules.Rules[0].Pos.Line != 12 {
		t.Fatalf("virtual rules: %+v", in.VirtualRules)
	}
	if got, want := c.StaticRoutes.Rejected[0].Notice("", "static_routes", "route"),
		`goha: (Line 3) static_routes: route "10.8.0.0/16 nexthop via 10.0.0.1 dev eth0" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet`; got != want {
		t.Errorf("notice:\n got %s\nwant %s", got, want)
	}
	for _, tc := range []struct {
		allow bool
		want  string
	}{
		{false, "k.conf:3: error: static_routes: route \"10.8.0.0/16 nexthop via 10.0.0.1 dev eth0\" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet (unsupported)\n" +
			"k.conf:13: warning: (V) virtual_rules: rule \"from 10.2.0.0/16 bogus 1\" is not installed: Unknown rule option bogus\n"},
		{true, "k.conf:3: warning: static_routes: route \"10.8.0.0/16 nexthop via 10.0.0.1 dev eth0\" is not installed: 'nexthop' is parsed but not supported by gokeepalived yet" + AllowedSuffix + " (unsupported)\n" +
			"k.conf:13: warning: (V) virtual_rules: rule \"from 10.2.0.0/16 bogus 1\" is not installed: Unknown rule option bogus\n"},
	} {
		var got string
		for _, d := range RouteDiagnostics(c, tc.allow) {
			sev := "warning"
			if d.Severity == SevError {
				sev = "error"
			}
			got += d.File + ":" + strconv.Itoa(d.Line) + ": " + sev + ": " + d.Message
			if d.Unsupported {
				got += " (unsupported)"
			}
			got += "\n"
		}
		if got != tc.want {
			t.Errorf("allow=%v:\n got %s\nwant %s", tc.allow, got, tc.want)
		}
	}
}
