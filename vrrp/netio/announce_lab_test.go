package netio

import (
	"bytes"
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/lab"
	"github.com/google/gopacket/layers"
)

func TestAnnouncerOnTheWire(t *testing.T) {
	l, a, _ := twoHosts(t, "nioann")
	_, mac, err := a.Interface(lab.HostIfName)
	if err != nil {
		t.Fatal(err)
	}
	v6 := netip.MustParseAddr("2001:db8:110::100")
	var an *Announcer
	in(t, a, func() (err error) { an, err = NewAnnouncer(lab.HostIfName); return })
	defer an.Close()

	cp := capture(t, l, "arp or icmp6")
	for _, vip := range []netip.Addr{seedVIP, seedVIP, v6} {
		if err := an.Announce(vip); err != nil {
			t.Fatal(err)
		}
	}
	pkts := packets(t, cp)
	wantGARP, _ := GARPFrame(mac, seedVIP)
	wantNA, _ := NAFrame(mac, v6, false)
	var garps, nas int
	for _, p := range pkts {
		frame := p.Data()
		if arp, ok := p.Layer(layers.LayerTypeARP).(*layers.ARP); ok {
			// The lab hosts may ARP on their own; ours is the one for the VIP.
			if !bytes.Equal(arp.SourceProtAddress, seedVIP.AsSlice()) {
				continue
			}
			garps++
			if !bytes.Equal(frame, wantGARP) {
				t.Errorf("GARP on br0\n got % x\nwant % x", frame, wantGARP)
			}
			if len(frame) != 42 {
				t.Errorf("GARP is %d bytes on the wire, keepalived's is 42", len(frame))
			}
			if arp.Operation != layers.ARPRequest || !bytes.Equal(arp.DstProtAddress, seedVIP.AsSlice()) {
				t.Errorf("GARP op %d target %v", arp.Operation, arp.DstProtAddress)
			}
			continue
		}
		na, ok := p.Layer(layers.LayerTypeICMPv6NeighborAdvertisement).(*layers.ICMPv6NeighborAdvertisement)
		if !ok || !bytes.Equal(na.TargetAddress, v6.AsSlice()) {
			continue
		}
		nas++
		if !bytes.Equal(frame, wantNA) {
			t.Errorf("NA on br0\n got % x\nwant % x", frame, wantNA)
		}
		ip := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
		if ip.HopLimit != 255 || !ip.SrcIP.Equal(v6.AsSlice()) || ip.DstIP.String() != "ff02::1" {
			t.Errorf("NA IPv6 %s -> %s hop limit %d", ip.SrcIP, ip.DstIP, ip.HopLimit)
		}
		if !na.Override() || na.Solicited() || na.Router() {
			t.Errorf("NA flags %#x, want Override only", na.Flags)
		}
		if len(na.Options) != 1 || na.Options[0].Type != layers.ICMPv6OptTargetAddress || !bytes.Equal(na.Options[0].Data, mac) {
			t.Errorf("NA options %v, want target link-layer %s", na.Options, mac)
		}
	}
	if garps != 2 || nas != 1 {
		t.Errorf("captured %d GARPs and %d NAs, want 2 and 1", garps, nas)
	}
}
