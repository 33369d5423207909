package daemon

import (
	"net/netip"
	"testing"
)

// default_interface, checked against keepalived 2.2.7 in a namespace: a
// static_ipaddress without dev goes on it (on eth0 when it is not set).
func TestStaticAddressDefaultInterface(t *testing.T) {
	for _, tc := range []struct{ global, dev string }{
		{"", "eth0"},
		{"default_interface ens161", "ens161"},
	} {
		p := t.TempDir() + "/k.conf"
		conf := "global_defs {\n" + tc.global + "\n}\nstatic_ipaddress {\n 10.77.1.1/24\n 10.77.2.1/24 dev ens160\n}\n"
		if err := writeFile(p, conf); err != nil {
			t.Fatal(err)
		}
		c, errs := MapConfig(lintFile(t, p, nil), nil)
		if len(errs) > 0 || len(c.Notices) > 0 {
			t.Fatalf("%q: errors %v, notices %q", tc.global, errs, c.Notices)
		}
		want := []VIP{
			{Prefix: netip.MustParsePrefix("10.77.1.1/24"), Dev: tc.dev},
			{Prefix: netip.MustParsePrefix("10.77.2.1/24"), Dev: "ens160"},
		}
		if len(c.StaticAddrs) != 2 || c.StaticAddrs[0] != want[0] || c.StaticAddrs[1] != want[1] {
			t.Errorf("%q: static addresses %+v, want %+v", tc.global, c.StaticAddrs, want)
		}
	}
}
