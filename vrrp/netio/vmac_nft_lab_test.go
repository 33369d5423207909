package netio

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strings"
	"testing"

	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/lab"
)

// TestVMACFilterOnTheWire: with the filter, the IGMP report of a socket
// joining 224.0.0.18 on the VMAC leaves with the parent's MAC (never the
// virtual one), the ruleset reads as keepalived's, a Firewall rebuilding
// the table is repaired by Sync, and Close leaves no table.
func TestVMACFilterOnTheWire(t *testing.T) {
	l, a, _ := twoHosts(t, "niovnft")
	_, parentMAC, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	var f *VMACFilter
	var idx, pidx, idx6 int
	in(t, a, func() (err error) {
		if idx, err = CreateVMAC(VMAC{Name: "vrrp.51", Parent: lab.HostIfName, VRID: 51}); err != nil {
			return err
		}
		if idx6, err = CreateVMAC(VMAC{Name: "vrrp.61", Parent: lab.HostIfName, VRID: 61, IPv6: true}); err != nil {
			return err
		}
		ifi, err := net.InterfaceByName(lab.HostIfName)
		if err != nil {
			return err
		}
		pidx = ifi.Index
		if f, err = NewVMACFilter("", DefaultPriority); err != nil {
			return err
		}
		if err := f.Add(idx, pidx, false); err != nil {
			return err
		}
		return f.Add(idx6, pidx, true)
	})
	t.Cleanup(func() { a.Do(func() error { f.Close(); DeleteVMAC("vrrp.61"); return DeleteVMAC("vrrp.51") }) })

	ruleset := func() string {
		out, err := a.Run(context.Background(), "nft", "list", "ruleset")
		if err != nil {
			t.Fatalf("nft list ruleset: %v %s", err, out)
		}
		return out
	}
	// keepalived's listing shows `"vrrp.51" : "ens160"`; google/nftables
	// v0.3.0 cannot write the map's data byte-order hint, so nft prints the
	// parent as the number its host-order index reads as big-endian. The
	// kernel uses the bytes as they are: the wire check below is what counts.
	parent := fmt.Sprint(binary.BigEndian.Uint32(binary.NativeEndian.AppendUint32(nil, uint32(pidx))))
	want := []string{
		"table ip keepalived {",
		`elements = { "vrrp.51" : ` + parent + ` }`,
		"type filter hook output priority filter - 1; policy accept;",
		`ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop`,
		"table ip6 keepalived {",
		`elements = { "vrrp.61" : ` + parent + ` }`,
		`elements = { "vrrp.61" }`,
		`icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map drop`,
		`icmpv6 type nd-router-solicit meta oifkind "macvlan" oif @vmac_set drop`,
	}
	check := func(what string) {
		t.Helper()
		rs := ruleset()
		for _, w := range want {
			if !strings.Contains(rs, w) {
				t.Errorf("%s: ruleset lacks %q:\n%s", what, w, rs)
			}
		}
		if n := strings.Count(rs, "dup to"); n != 2 {
			t.Errorf("%s: %d dup rules, want 2:\n%s", what, n, rs)
		}
	}
	check("after Add")
	in(t, a, func() error { return f.Sync() })
	check("after a second Sync")

	// The no-accept firewall rebuilds the table on its first address;
	// Sync puts the VMAC rules back next to its own.
	in(t, a, func() error {
		fw, err := NewFirewall(FirewallConfig{})
		if err != nil {
			return err
		}
		if _, err := fw.Add(seedVIP); err != nil {
			return err
		}
		return f.Sync()
	})
	check("after the firewall's rebuild")
	if rs := ruleset(); !strings.Contains(rs, "ip saddr @vips drop") {
		t.Errorf("the firewall's rules are gone:\n%s", rs)
	}

	cp := capture(t, l, "igmp")
	var c *Conn
	in(t, a, func() (err error) { c, err = Listen(ConnConfig{Interface: "vrrp.51", Src: addrA}); return })
	defer c.Close()
	vmac := VirtualMAC(51, false)
	reports, fromVMAC := 0, 0
	for _, p := range packets(t, cp) {
		eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil || p.Layer(layers.LayerTypeIGMP) == nil {
			continue
		}
		switch {
		case bytes.Equal(eth.SrcMAC, vmac):
			fromVMAC++
		case bytes.Equal(eth.SrcMAC, parentMAC):
			reports++
		}
	}
	if reports == 0 || fromVMAC != 0 {
		t.Errorf("IGMP reports: %d with the parent's MAC, %d with the virtual MAC; want some and none", reports, fromVMAC)
	}

	in(t, a, func() error {
		if err := f.Remove(idx6); err != nil {
			return err
		}
		return nil
	})
	if rs := ruleset(); strings.Contains(rs, `"vrrp.61"`) {
		t.Errorf("vrrp.61 still in the maps after Remove:\n%s", rs)
	}
	in(t, a, func() error { return f.Close() })
	if rs := strings.TrimSpace(ruleset()); rs != "" {
		t.Errorf("ruleset after Close:\n%s", rs)
	}
}
