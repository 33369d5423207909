package vrrp

import (
	"net/netip"
	"testing"
)

func BenchmarkMarshalV2(b *testing.B) {
	a := Advert{Version: 2, Type: TypeAdvertisement, VRID: 51, Priority: 100, Addrs: addrs("192.168.110.100"), AdverInt: 1}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = a.AppendMarshal(buf[:0], netip.Addr{}, netip.Addr{})
	}
}

func BenchmarkMarshalV3IPv6(b *testing.B) {
	a := Advert{Version: 3, Type: TypeAdvertisement, VRID: 55, Priority: 100, Addrs: addrs("fe80::55", "2001:db8:110::100"), MaxAdverInt: 100}
	src, dst := netip.MustParseAddr("fe80::1"), MulticastGroup6
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = a.AppendMarshal(buf[:0], src, dst)
	}
}

func BenchmarkDecodeV2(b *testing.B) {
	p := readCapture(b, "v2-seed-strict.pcap")[0].payload
	var a Advert
	b.ReportAllocs()
	for b.Loop() {
		if err := a.Decode(p, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkValidateV3IPv6(b *testing.B) {
	pk := readCapture(b, "v3-ipv6.pcap")[0]
	cfg := DefaultInstanceConfig()
	cfg.Version, cfg.VRID, cfg.IPv6 = 3, 55, true
	cfg.VIPs = addrs("fe80::55", "2001:db8:110::100")
	var a Advert
	m := RxMeta{Src: pk.src, Dst: pk.dst, TTL: 255}
	b.ReportAllocs()
	for b.Loop() {
		if v := Validate(&cfg, pk.payload, m, true, &a); v.Reason != DropNone {
			b.Fatal(v.Msg)
		}
	}
}
