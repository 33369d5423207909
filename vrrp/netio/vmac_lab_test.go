package netio

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket/layers"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/lab"
)

func TestVirtualMAC(t *testing.T) {
	if got := VirtualMAC(51, false).String(); got != "00:00:5e:00:01:33" {
		t.Errorf("IPv4 VRID 51: %s", got)
	}
	if got := VirtualMAC(255, true).String(); got != "00:00:5e:00:02:ff" {
		t.Errorf("IPv6 VRID 255: %s", got)
	}
	if DefaultVMACName(61) != "vrrp.61" {
		t.Errorf("default name %s", DefaultVMACName(61))
	}
}

// TestVMACOnTheWire creates an IPv4 and an IPv6 VMAC on a lab host and
// checks them as keepalived 2.2.7 leaves them (ip -d link, sysctl -a),
// that an advert and a GARP sent on the IPv4 one carry the virtual MAC,
// and that both are gone after DeleteVMAC.
func TestVMACOnTheWire(t *testing.T) {
	l, a, b := twoHosts(t, "niovmac")
	linkLocal(t, a, lab.HostIfName)
	in(t, a, func() error {
		if _, err := CreateVMAC(VMAC{Name: "vrrp.51", Parent: lab.HostIfName, VRID: 51}); err != nil {
			return err
		}
		// Adopting a leftover of a crashed run is not an error.
		_, err := CreateVMAC(VMAC{Name: "vrrp.51", Parent: lab.HostIfName, VRID: 51})
		if err != nil {
			return err
		}
		_, err = CreateVMAC(VMAC{Name: "vm61", Parent: lab.HostIfName, VRID: 61, IPv6: true})
		return err
	})
	t.Cleanup(func() { a.Do(func() error { DeleteVMAC("vrrp.51"); return DeleteVMAC("vm61") }) })

	for _, tc := range []struct {
		name string
		mac  string
	}{{"vrrp.51", "00:00:5e:00:01:33"}, {"vm61", "00:00:5e:00:02:3d"}} {
		link, err := a.Handle().LinkByName(tc.name)
		if err != nil {
			t.Fatal(err)
		}
		mv, ok := link.(*netlink.Macvlan)
		if !ok || mv.Mode != netlink.MACVLAN_MODE_PRIVATE || mv.HardwareAddr.String() != tc.mac ||
			link.Attrs().RawFlags&unix.IFF_UP == 0 {
			t.Errorf("%s: %T mode %v mac %s flags %#x", tc.name, link, mv.Mode, link.Attrs().HardwareAddr, link.Attrs().RawFlags)
		}
	}
	sysctls := map[[2]string]string{
		{"ipv4/conf/%s/arp_ignore", "vrrp.51"}:          "1",
		{"ipv4/conf/%s/accept_local", "vrrp.51"}:        "1",
		{"ipv4/conf/%s/rp_filter", "vrrp.51"}:           "0",
		{"ipv4/conf/%s/promote_secondaries", "vrrp.51"}: "1",
		{"ipv6/conf/%s/disable_ipv6", "vrrp.51"}:        "1",
		{"ipv6/conf/%s/addr_gen_mode", "vrrp.51"}:       "1",
		{"ipv6/conf/%s/addr_gen_mode", "vm61"}:          "1",
		{"ipv6/conf/%s/disable_ipv6", "vm61"}:           "0",
		{"ipv4/conf/%s/arp_ignore", lab.HostIfName}:     "1",
		{"ipv4/conf/%s/arp_filter", lab.HostIfName}:     "1",
	}
	in(t, a, func() error {
		for k, want := range sysctls {
			got, err := ReadSysctl(k[0], k[1])
			if err != nil || got != want {
				t.Errorf("%s = %q (%v), want %s", k, got, err, want)
			}
		}
		return nil
	})
	// The IPv6 VMAC carries the parent's link-local address, keepalived's
	// advert source there, and no address of its own making.
	ll := linkLocal(t, a, lab.HostIfName)
	v6 := usableAddrs(t, a, "vm61")
	if len(v6) != 1 || v6[0] != ll {
		t.Errorf("vm61 addresses %v, want only %s", v6, ll)
	}

	// An advert from the VMAC leaves with the virtual MAC and the
	// parent's primary address; b receives it.
	cp := capture(t, l, "arp or ip proto 112")
	var c *Conn
	in(t, a, func() (err error) {
		c, err = Listen(ConnConfig{Interface: "vrrp.51", Src: addrA})
		return
	})
	defer c.Close()
	var rc *Conn
	in(t, b, func() (err error) { rc, err = Listen(ConnConfig{Interface: lab.HostIfName}); return })
	defer rc.Close()
	payload := []byte{0x21, 51, 100, 1, 0, 1, 0, 0, 192, 168, 110, 100, 0, 0, 0, 0, 0, 0, 0, 0}
	if err := c.Send(payload, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	rc.SetReadDeadline(time.Now().Add(3 * time.Second))
	got, meta, err := rc.Recv()
	if err != nil || !bytes.Equal(got, payload) || meta.Src != addrA {
		t.Errorf("b received % x from %s (%v), want the advert from %s", got, meta.Src, err, addrA)
	}
	var an *Announcer
	in(t, a, func() (err error) { an, err = NewAnnouncer("vrrp.51"); return })
	defer an.Close()
	if err := an.Announce(seedVIP); err != nil {
		t.Fatal(err)
	}
	vmac := net.HardwareAddr{0, 0, 0x5e, 0, 1, 51}
	var adverts, garps int
	for _, p := range packets(t, cp) {
		eth, _ := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
		if eth == nil {
			continue
		}
		if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok && ip.Protocol == 112 {
			adverts++
			if !bytes.Equal(eth.SrcMAC, vmac) || !ip.SrcIP.Equal(addrA.AsSlice()) {
				t.Errorf("advert from %s / %s, want %s / %s", eth.SrcMAC, ip.SrcIP, vmac, addrA)
			}
		}
		if arp, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok && bytes.Equal(arp.SourceProtAddress, seedVIP.AsSlice()) {
			garps++
			if !bytes.Equal(eth.SrcMAC, vmac) || !bytes.Equal(arp.SourceHwAddress, vmac) {
				t.Errorf("GARP from %s (sender %s), want %s", eth.SrcMAC, net.HardwareAddr(arp.SourceHwAddress), vmac)
			}
		}
	}
	if adverts != 1 || garps != 1 {
		t.Errorf("captured %d adverts and %d GARPs from the VMAC, want 1 and 1", adverts, garps)
	}

	in(t, a, func() error {
		for _, n := range []string{"vrrp.51", "vm61", "vrrp.51"} {
			if err := DeleteVMAC(n); err != nil {
				return err
			}
		}
		if err := DeleteVMAC(lab.HostIfName); err == nil {
			t.Errorf("DeleteVMAC removed a veth")
		}
		return nil
	})
	for _, n := range []string{"vrrp.51", "vm61"} {
		if _, err := a.Handle().LinkByName(n); err == nil {
			t.Errorf("%s still exists after DeleteVMAC", n)
		}
	}
}
