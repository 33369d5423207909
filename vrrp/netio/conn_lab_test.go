package netio

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/goha-lb/goha/lab"
	"github.com/goha-lb/goha/vrrp"
	"github.com/google/gopacket/layers"
	"golang.org/x/net/ipv4"
)

// seedAdvert is lb1's advert from the seed (VRID 51, priority 100).
func seedAdvert(t *testing.T, version uint8, vips ...netip.Addr) vrrp.Advert {
	t.Helper()
	a := vrrp.Advert{Version: version, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: 100, Addrs: vips}
	if version == 2 {
		a.AdverInt = 1
	} else {
		a.MaxAdverInt = 100
	}
	return a
}

type received struct {
	payload []byte
	meta    Meta
}

// recvOne reads one packet from c within 3 s.
func recvOne(t *testing.T, c *Conn) received {
	t.Helper()
	if err := c.SetReadDeadline(time.Now().Add(3 * time.Second)); err != nil {
		t.Fatal(err)
	}
	p, m, err := c.Recv()
	if err != nil {
		t.Fatalf("Recv: %v", err)
	}
	return received{p, m}
}

// expectNothing asserts c receives nothing within d.
func expectNothing(t *testing.T, c *Conn, d time.Duration) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	p, m, err := c.Recv()
	if err == nil {
		t.Fatalf("unexpected packet % x %+v", p, m)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("Recv: %v", err)
	}
}

func TestConnIPv4Multicast(t *testing.T) {
	l, a, b := twoHosts(t, "niov4")
	var ca, cb *Conn
	in(t, a, func() (err error) { ca, err = Listen(ConnConfig{Interface: lab.HostIfName}); return })
	defer ca.Close()
	in(t, b, func() (err error) { cb, err = Listen(ConnConfig{Interface: lab.HostIfName}); return })
	defer cb.Close()
	if ca.Src() != addrA || ca.Group() != GroupV4 {
		t.Fatalf("a: src %s group %s, want %s %s", ca.Src(), ca.Group(), addrA, GroupV4)
	}
	bIndex, _, err := b.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}

	adv := seedAdvert(t, 2, seedVIP)
	payload, err := adv.Marshal(ca.Src(), GroupV4)
	if err != nil {
		t.Fatal(err)
	}
	// The seed advert as keepalived 2.2.7 sent it (seed README).
	if want := []byte{0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0x4b, 0xbd, 0xc0, 0xa8, 0x6e, 0x64, 0, 0, 0, 0, 0, 0, 0, 0}; !bytes.Equal(payload, want) {
		t.Fatalf("test advert % x, want keepalived's % x", payload, want)
	}
	cp := capture(t, l, "ip proto 112")
	for range 2 {
		if err := ca.Send(payload, netip.Addr{}); err != nil {
			t.Fatal(err)
		}
		got := recvOne(t, cb)
		if !bytes.Equal(got.payload, payload) {
			t.Errorf("b received % x, want % x", got.payload, payload)
		}
		want := Meta{Src: addrA, Dst: GroupV4, TTL: 255, IfIndex: bIndex, Multicast: true}
		if got.meta != want {
			t.Errorf("b meta %+v, want %+v", got.meta, want)
		}
	}
	// Multicast loopback is off: a never hears itself.
	expectNothing(t, ca, 300*time.Millisecond)

	pkts := packets(t, cp)
	var ids []uint16
	for _, p := range pkts {
		ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
		if !ok {
			continue
		}
		if ip.TOS != 0xc0 || ip.TTL != 255 || ip.Flags&layers.IPv4DontFragment != 0 || ip.Protocol != 112 {
			t.Errorf("IP header TOS %#x TTL %d flags %v proto %d, want 0xc0 255 no-DF 112", ip.TOS, ip.TTL, ip.Flags, ip.Protocol)
		}
		if !ip.SrcIP.Equal(addrA.AsSlice()) || !ip.DstIP.Equal(GroupV4.AsSlice()) {
			t.Errorf("IP %s -> %s", ip.SrcIP, ip.DstIP)
		}
		if !bytes.Equal(ip.Payload, payload) {
			t.Errorf("wire payload % x", ip.Payload)
		}
		if eth, ok := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet); ok {
			if want := (net.HardwareAddr{0x01, 0x00, 0x5e, 0, 0, 0x12}); !bytes.Equal(eth.DstMAC, want) {
				t.Errorf("destination MAC %s, want %s", eth.DstMAC, want)
			}
		}
		ids = append(ids, ip.Id)
	}
	if len(ids) != 2 || ids[0] != 1 || ids[1] != 2 {
		t.Errorf("IP IDs on the wire %v, want [1 2] (per-Conn counter like keepalived's per-instance one)", ids)
	}
}

// TestConnReportsWrongTTL sends an advert with TTL 64 (what a forwarded or
// forged packet looks like): Conn must hand it over with TTL 64, since
// dropping it is the receive checks' job (and is counted there).
func TestConnReportsWrongTTL(t *testing.T) {
	_, a, b := twoHosts(t, "niottl")
	var cb *Conn
	in(t, b, func() (err error) { cb, err = Listen(ConnConfig{Interface: lab.HostIfName}); return })
	defer cb.Close()
	adv := seedAdvert(t, 2, seedVIP)
	payload, _ := adv.Marshal(addrA, GroupV4)
	in(t, a, func() error {
		pc, err := net.ListenPacket("ip4:112", "192.168.110.11")
		if err != nil {
			return err
		}
		defer pc.Close()
		p := ipv4.NewPacketConn(pc)
		ifi, err := net.InterfaceByName(lab.HostIfName)
		if err != nil {
			return err
		}
		if err := p.SetMulticastInterface(ifi); err != nil {
			return err
		}
		if err := p.SetMulticastTTL(64); err != nil {
			return err
		}
		_, err = p.WriteTo(payload, nil, &net.IPAddr{IP: GroupV4.AsSlice()})
		return err
	})
	got := recvOne(t, cb)
	if got.meta.TTL != 64 || got.meta.Src != addrA || !bytes.Equal(got.payload, payload) {
		t.Fatalf("got TTL %d from %s payload % x; want TTL 64 from %s", got.meta.TTL, got.meta.Src, got.payload, addrA)
	}
}

func TestConnIPv4Unicast(t *testing.T) {
	l, a, b := twoHosts(t, "niouc")
	var ca, cb *Conn
	in(t, a, func() (err error) {
		ca, err = Listen(ConnConfig{Interface: lab.HostIfName, Unicast: true, Src: addrA})
		return
	})
	defer ca.Close()
	in(t, b, func() (err error) { cb, err = Listen(ConnConfig{Interface: lab.HostIfName, Unicast: true}); return })
	defer cb.Close()
	if ca.Group().IsValid() {
		t.Fatalf("unicast Conn has group %s", ca.Group())
	}
	if err := ca.Send([]byte{1}, netip.Addr{}); err == nil {
		t.Fatal("unicast Send without destination accepted")
	}
	adv := seedAdvert(t, 3, seedVIP)
	payload, _ := adv.Marshal(addrA, addrB)
	cp := capture(t, l, "ip proto 112")
	if err := ca.Send(payload, addrB); err != nil {
		t.Fatal(err)
	}
	got := recvOne(t, cb)
	bIndex, _, _ := b.Interface(lab.HostIfName)
	want := Meta{Src: addrA, Dst: addrB, TTL: 255, IfIndex: bIndex}
	if got.meta != want || !bytes.Equal(got.payload, payload) {
		t.Fatalf("got %+v % x, want %+v % x", got.meta, got.payload, want, payload)
	}
	pkts := packets(t, cp)
	n := 0
	for _, p := range pkts {
		if ip, ok := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4); ok {
			n++
			if ip.TTL != 255 || ip.TOS != 0xc0 || !ip.DstIP.Equal(addrB.AsSlice()) {
				t.Errorf("unicast advert TTL %d TOS %#x dst %s", ip.TTL, ip.TOS, ip.DstIP)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d unicast adverts on the bridge, want 1", n)
	}
}

func TestConnIPv6Multicast(t *testing.T) {
	l, a, b := twoHosts(t, "niov6")
	llA := linkLocal(t, a, lab.HostIfName)
	linkLocal(t, b, lab.HostIfName)
	var ca, cb *Conn
	in(t, a, func() (err error) { ca, err = Listen(ConnConfig{Interface: lab.HostIfName, IPv6: true}); return })
	defer ca.Close()
	in(t, b, func() (err error) { cb, err = Listen(ConnConfig{Interface: lab.HostIfName, IPv6: true}); return })
	defer cb.Close()
	if ca.Src() != llA || ca.Group() != GroupV6 {
		t.Fatalf("a: src %s group %s, want %s %s", ca.Src(), ca.Group(), llA, GroupV6)
	}
	adv := seedAdvert(t, 3, netip.MustParseAddr("fe80::51"), netip.MustParseAddr("2001:db8:110::100"))
	payload, err := adv.Marshal(llA, GroupV6)
	if err != nil {
		t.Fatal(err)
	}
	// Send with the checksum zeroed: the kernel (IPV6_CHECKSUM) must
	// fill in the same value the codec computes.
	zeroed := bytes.Clone(payload)
	zeroed[6], zeroed[7] = 0, 0
	cp := capture(t, l, "ip6 proto 112")
	if err := ca.Send(zeroed, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	got := recvOne(t, cb)
	bIndex, _, _ := b.Interface(lab.HostIfName)
	want := Meta{Src: llA, Dst: GroupV6, TTL: 255, IfIndex: bIndex, Multicast: true}
	if got.meta != want {
		t.Errorf("meta %+v, want %+v", got.meta, want)
	}
	if !bytes.Equal(got.payload, payload) {
		t.Errorf("received % x, want % x (kernel checksum = codec checksum)", got.payload, payload)
	}
	expectNothing(t, ca, 300*time.Millisecond)
	pkts := packets(t, cp)
	n := 0
	for _, p := range pkts {
		ip, ok := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
		if !ok {
			continue
		}
		n++
		if ip.HopLimit != 255 || ip.TrafficClass != 0xc0 || ip.NextHeader != 112 {
			t.Errorf("IPv6 hop limit %d class %#x next %d, want 255 0xc0 112", ip.HopLimit, ip.TrafficClass, ip.NextHeader)
		}
		if !ip.SrcIP.Equal(llA.AsSlice()) || !ip.DstIP.Equal(GroupV6.AsSlice()) {
			t.Errorf("IPv6 %s -> %s, want %s -> %s", ip.SrcIP, ip.DstIP, llA, GroupV6)
		}
		if !bytes.Equal(ip.Payload, payload) {
			t.Errorf("wire payload % x, want % x", ip.Payload, payload)
		}
	}
	if n != 1 {
		t.Errorf("%d IPv6 adverts on the bridge, want 1", n)
	}
}

func TestListenErrors(t *testing.T) {
	l, a, _ := twoHosts(t, "nioerr")
	// eth1 carries no IPv4 address at all: no default advert source.
	if err := l.AddLink(a, "eth1"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		cfg  ConnConfig
	}{
		{"no interface", ConnConfig{}},
		{"missing interface", ConnConfig{Interface: "nosuch0"}},
		{"unicast address as group", ConnConfig{Interface: lab.HostIfName, Group: addrB}},
		{"IPv6 group on IPv4", ConnConfig{Interface: lab.HostIfName, Group: GroupV6}},
		{"IPv6 source on IPv4", ConnConfig{Interface: lab.HostIfName, Src: netip.MustParseAddr("fe80::1")}},
		{"no primary IPv4 address", ConnConfig{Interface: "eth1"}},
	} {
		in(t, a, func() error {
			c, err := Listen(tc.cfg)
			if err == nil {
				c.Close()
				t.Errorf("%s: Listen succeeded", tc.name)
			} else {
				t.Logf("%s: %v", tc.name, err)
			}
			return nil
		})
	}
}

// TestConnGroupsAreSeparate: a Conn on vrrp_mcast_group4 224.0.0.100
// receives adverts sent there, while a Conn on the default group and a
// unicast Conn of the same host do not (multicast-all is off).
func TestConnGroupsAreSeparate(t *testing.T) {
	_, a, b := twoHosts(t, "niogrp")
	group := netip.MustParseAddr("224.0.0.100")
	var ca, custom, deflt, uni *Conn
	in(t, a, func() (err error) { ca, err = Listen(ConnConfig{Interface: lab.HostIfName, Group: group}); return })
	defer ca.Close()
	in(t, b, func() error {
		var err error
		if custom, err = Listen(ConnConfig{Interface: lab.HostIfName, Group: group}); err != nil {
			return err
		}
		if deflt, err = Listen(ConnConfig{Interface: lab.HostIfName}); err != nil {
			return err
		}
		uni, err = Listen(ConnConfig{Interface: lab.HostIfName, Unicast: true})
		return err
	})
	defer custom.Close()
	defer deflt.Close()
	defer uni.Close()
	adv := seedAdvert(t, 2, seedVIP)
	payload, _ := adv.Marshal(addrA, group)
	if err := ca.Send(payload, netip.Addr{}); err != nil {
		t.Fatal(err)
	}
	got := recvOne(t, custom)
	if got.meta.Dst != group || !bytes.Equal(got.payload, payload) {
		t.Fatalf("custom group Conn got %+v % x", got.meta, got.payload)
	}
	expectNothing(t, deflt, 300*time.Millisecond)
	expectNothing(t, uni, 100*time.Millisecond)

	// Close wakes a blocked Recv with net.ErrClosed.
	errc := make(chan error, 1)
	deflt.SetReadDeadline(time.Now().Add(5 * time.Second))
	go func() { _, _, err := deflt.Recv(); errc <- err }()
	time.Sleep(50 * time.Millisecond)
	deflt.Close()
	select {
	case err := <-errc:
		if !errors.Is(err, net.ErrClosed) {
			t.Errorf("Recv after Close: %v, want net.ErrClosed", err)
		}
	case <-time.After(5 * time.Second):
		t.Error("Close did not wake Recv")
	}
}

// TestConnIPv6Unicast: unicast_peer with IPv6, from the link-local source
// to the peer's link-local address.
func TestConnIPv6Unicast(t *testing.T) {
	_, a, b := twoHosts(t, "niouc6")
	llA := linkLocal(t, a, lab.HostIfName)
	llB := linkLocal(t, b, lab.HostIfName)
	var ca, cb *Conn
	in(t, a, func() (err error) {
		ca, err = Listen(ConnConfig{Interface: lab.HostIfName, IPv6: true, Unicast: true})
		return
	})
	defer ca.Close()
	in(t, b, func() (err error) {
		cb, err = Listen(ConnConfig{Interface: lab.HostIfName, IPv6: true, Unicast: true})
		return
	})
	defer cb.Close()
	adv := seedAdvert(t, 3, netip.MustParseAddr("2001:db8:110::100"))
	payload, err := adv.Marshal(llA, llB)
	if err != nil {
		t.Fatal(err)
	}
	if err := ca.Send(payload, llB); err != nil {
		t.Fatal(err)
	}
	got := recvOne(t, cb)
	bIndex, _, _ := b.Interface(lab.HostIfName)
	want := Meta{Src: llA, Dst: llB, TTL: 255, IfIndex: bIndex}
	if got.meta != want || !bytes.Equal(got.payload, payload) {
		t.Fatalf("got %+v % x, want %+v % x", got.meta, got.payload, want, payload)
	}
}
