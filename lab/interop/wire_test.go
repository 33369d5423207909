package interop

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

func TestAdvertsFromFrames(t *testing.T) {
	src := netip.MustParseAddr(LB1Addr)
	good := Advert(V2Advert(100), src, Group4)
	bad := append([]byte(nil), good...)
	bad[7] ^= 1
	ll := netip.MustParseAddr("fe80::11")
	v3 := V2Advert(90)
	v3.Version, v3.MaxAdverInt = 3, 100
	v3.Addrs = []netip.Addr{netip.MustParseAddr(VIP6)}
	six := Advert(v3, ll, Group6)
	t0 := time.Unix(1000, 0)
	var pkts []gopacket.Packet
	for i, f := range []Frame{
		{Src: src, Dst: Group4, Payload: good},
		{Src: src, Dst: Group4, TTL: 64, Payload: bad},
		{Src: ll, Dst: Group6, Payload: six},
	} {
		f.SrcMAC = testMAC
		b, err := f.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		p := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
		p.Metadata().Timestamp = t0.Add(time.Duration(i) * time.Second)
		pkts = append(pkts, p)
	}
	// A non-VRRP frame is skipped.
	arp := gopacket.NewSerializeBuffer()
	gopacket.SerializeLayers(arp, gopacket.SerializeOptions{},
		&layers.Ethernet{SrcMAC: testMAC, DstMAC: MulticastMAC(src), EthernetType: layers.EthernetTypeARP},
		&layers.ARP{AddrType: layers.LinkTypeEthernet, Protocol: layers.EthernetTypeIPv4, HwAddressSize: 6, ProtAddressSize: 4,
			Operation: 1, SourceHwAddress: testMAC, SourceProtAddress: src.AsSlice(), DstHwAddress: make([]byte, 6), DstProtAddress: src.AsSlice()})
	pkts = append(pkts, gopacket.NewPacket(arp.Bytes(), layers.LayerTypeEthernet, gopacket.Default))

	got := Adverts(pkts)
	want := []Sent{
		{At: t0, Src: src, TTL: 255, Version: 2, VRID: 51, Priority: 100, Valid: true},
		{At: t0.Add(time.Second), Src: src, TTL: 64, Version: 2, VRID: 51, Priority: 100, Valid: false},
		{At: t0.Add(2 * time.Second), Src: ll, TTL: 255, Version: 3, VRID: 51, Priority: 90, Valid: true},
	}
	if len(got) != len(want) {
		t.Fatalf("got %d adverts %+v, want %d", len(got), got, len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("advert %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestDualMaster(t *testing.T) {
	a, b := netip.MustParseAddr(LB1Addr), netip.MustParseAddr(LB2Addr)
	t0 := time.Unix(1000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	adv := func(src netip.Addr, ms int, prio uint8) Sent {
		return Sent{At: at(ms), Src: src, VRID: 51, Priority: prio}
	}
	sec := time.Second
	for _, c := range []struct {
		name    string
		adverts []Sent
		want    []Overlap
	}{
		{"one master", []Sent{adv(a, 0, 100), adv(a, 1000, 100), adv(a, 2000, 100)}, nil},
		{"clean handover by priority 0",
			[]Sent{adv(a, 0, 100), adv(a, 1000, 0), adv(b, 1650, 90), adv(b, 2650, 90)}, nil},
		{"preemption: the old master's last claim overlaps",
			[]Sent{adv(b, 0, 90), adv(b, 1000, 90), adv(a, 1400, 100), adv(a, 2400, 100)},
			[]Overlap{{Begin: at(1400), End: at(2000), A: a, B: b}}},
		{"split brain",
			[]Sent{adv(a, 0, 100), adv(b, 100, 90), adv(a, 1000, 100), adv(b, 1100, 90), adv(a, 2000, 100), adv(b, 2100, 90)},
			[]Overlap{{Begin: at(100), End: at(3000), A: a, B: b}}},
		{"other VRID ignored", []Sent{adv(a, 0, 100), {At: at(0), Src: b, VRID: 52, Priority: 100}}, nil},
	} {
		got := DualMaster(c.adverts, 51, sec)
		if len(got) != len(c.want) {
			t.Errorf("%s: got %+v, want %+v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: overlap %d = %+v, want %+v", c.name, i, got[i], c.want[i])
			}
		}
	}
	if l := Longest(DualMaster([]Sent{adv(a, 0, 100), adv(b, 100, 90), adv(a, 1000, 100), adv(b, 1100, 90)}, 51, sec)); l != 1900*time.Millisecond {
		t.Errorf("Longest = %s, want 1.9s", l)
	}
}
