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

// vmac_prefix as keepalived 2.2.7 in a namespace: `vmac_prefix vx` names
// the VMAC of VRID 77 vx.77 (vrrp.77 without it); a given name wins.
func TestVMACPrefix(t *testing.T) {
	for _, tc := range []struct{ global, vmac, want string }{
		{"", "use_vmac", "vrrp.77"},
		{"vmac_prefix vx", "use_vmac", "vx.77"},
		{"vmac_prefix vx", "use_vmac mine", "mine"},
	} {
		p := t.TempDir() + "/k.conf"
		conf := "global_defs {\n" + tc.global + "\n}\nvrrp_instance A {\n interface ens160\n virtual_router_id 77\n " + tc.vmac +
			"\n virtual_ipaddress {\n  10.77.0.100/24\n }\n}\n"
		if err := writeFile(p, conf); err != nil {
			t.Fatal(err)
		}
		c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
		if len(errs) > 0 || len(c.Instances) != 1 || c.Instances[0].VMAC == nil {
			t.Fatalf("%q: errors %v", tc.global, errs)
		}
		if got := c.Instances[0].VMAC.Name; got != tc.want || c.Instances[0].Interface != tc.want {
			t.Errorf("%q %q: VMAC %q (interface %q), want %q", tc.global, tc.vmac, got, c.Instances[0].Interface, tc.want)
		}
	}
}

// eVIPs never set an instance's family (keepalived 2.2.7 in a namespace: an
// instance with only IPv6 eVIPs advertises over IPv4, VRRPv2).
func TestExcludedVIPsKeepFamily(t *testing.T) {
	p := t.TempDir() + "/k.conf"
	conf := "vrrp_instance A {\n interface ens160\n virtual_router_id 77\n virtual_ipaddress_excluded {\n  fd00::201/64\n }\n}\n"
	if err := writeFile(p, conf); err != nil {
		t.Fatal(err)
	}
	c, errs := MapConfig(lintFile(t, p, nil), fakePrimary(map[string]string{"ens160": "10.77.0.1"}))
	if len(errs) > 0 || len(c.Instances) != 1 {
		t.Fatalf("errors %v", errs)
	}
	in := c.Instances[0]
	if in.IPv6 || in.Version != 2 || in.SrcAddr != netip.MustParseAddr("10.77.0.1") || len(in.ExcludedVIPs) != 1 {
		t.Errorf("IPv6 %v version %d src %s eVIPs %v, want IPv4 v2 from 10.77.0.1", in.IPv6, in.Version, in.SrcAddr, in.ExcludedVIPs)
	}
}
