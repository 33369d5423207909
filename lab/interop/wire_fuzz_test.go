package interop

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

// FuzzAdverts feeds arbitrary frames to the capture decoder: it must never
// panic (gopacket's own VRRPv2 layer does on a count overrun, which is why
// Adverts decodes with vrrp.Advert), and what it reports must be
// consistent with the frame.
func FuzzAdverts(f *testing.F) {
	src := netip.MustParseAddr(LB1Addr)
	for _, payload := range [][]byte{
		Advert(V2Advert(100), src, Group4),
		{0x21, 51, 100, 200, 0, 1, 0, 0},
		{0x31},
	} {
		b, _ := Frame{SrcMAC: testMAC, Src: src, Dst: Group4, Payload: payload}.Bytes()
		f.Add(b)
	}
	b6, _ := Frame{SrcMAC: testMAC, Src: netip.MustParseAddr("fe80::1"), Dst: Group6, Payload: []byte{0x31, 51, 100, 1, 0, 100, 0, 0}}.Bytes()
	f.Add(b6)
	f.Fuzz(func(t *testing.T, frame []byte) {
		p := gopacket.NewPacket(frame, layers.LayerTypeEthernet, gopacket.Default)
		for _, a := range Adverts([]gopacket.Packet{p}) {
			if a.Valid && a.Version != 2 && a.Version != 3 {
				t.Fatalf("valid advert of version %d", a.Version)
			}
		}
	})
}

// FuzzDualMaster checks DualMaster's invariants on arbitrary advert
// sequences: overlaps are non-empty, between two different sources, and
// never longer than the whole capture plus one interval.
func FuzzDualMaster(f *testing.F) {
	f.Add([]byte{0, 1, 100, 10, 2, 90, 20, 1, 0})
	f.Add([]byte{0, 1, 100, 1, 2, 90, 2, 1, 100, 3, 2, 90})
	f.Fuzz(func(t *testing.T, data []byte) {
		srcs := []netip.Addr{netip.MustParseAddr(LB1Addr), netip.MustParseAddr(LB2Addr), netip.MustParseAddr(InjAddr)}
		t0 := time.Unix(0, 0)
		var ads []Sent
		at := t0
		for i := 0; i+2 < len(data) && len(ads) < 200; i += 3 {
			at = at.Add(time.Duration(data[i]) * 10 * time.Millisecond)
			ads = append(ads, Sent{At: at, Src: srcs[int(data[i+1])%len(srcs)], VRID: 51, Priority: data[i+2]})
		}
		for _, o := range DualMaster(ads, 51, time.Second) {
			if o.Duration() <= 0 || o.A == o.B || o.Begin.Before(t0) || o.End.After(at.Add(time.Second)) {
				t.Fatalf("bad overlap %+v (capture ends %s)", o, at)
			}
		}
	})
}
