package interop

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/vrrp"
)

// v6Advert is the IPv6 variant's advert (VRID 51, 1 s, VIP fd00:110::100)
// at priority prio.
func v6Advert(prio uint8) vrrp.Advert {
	return vrrp.Advert{Version: 3, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: prio,
		MaxAdverInt: 100, Addrs: []netip.Addr{netip.MustParseAddr(VIP6)}}
}

// mutated6 is mutated for the IPv6 variant: the advert from src to
// ff02::12 at priority 254, changed, then its bytes changed.
func mutated6(change func(*vrrp.Advert), raw func([]byte) []byte) func(netip.Addr) Frame {
	return func(src netip.Addr) Frame {
		a := v6Advert(254)
		if change != nil {
			change(&a)
		}
		b := Advert(a, src, Group6)
		if raw != nil {
			b = raw(b)
		}
		return Frame{Src: src, Dst: Group6, Payload: b}
	}
}

var v6Adverts = []badAdvert{
	{name: "hop-limit-64",
		frame: func(src netip.Addr) Frame {
			f := mutated6(nil, nil)(src)
			f.TTL = 64
			return f
		},
		log: "invalid TTL/HL. Received 64 and expect 255", kaStat: "TTL", goReason: "ip_ttl_err"},
	// Both daemons let the kernel verify IPv6 checksums (IPV6_CHECKSUM
	// at offset 6): a bad one never reaches them, so nothing is logged or
	// counted, by keepalived or gokeepalived; only the state is checked.
	{name: "bad-checksum",
		frame: mutated6(nil, func(b []byte) []byte { b[7] ^= 0x5a; return b })},
	{name: "checksum-without-pseudo-header",
		frame: mutated6(nil, func(b []byte) []byte { return fixSum(b) })},
	{name: "addr-list",
		frame: mutated6(func(a *vrrp.Advert) { a.Addrs = []netip.Addr{netip.MustParseAddr("fd00:110::200")} }, nil),
		log:   "ip address associated with VRID 51 not present in MASTER advert: " + VIP6, kaStat: "Address List", goReason: "addr_list_err"},
	{name: "version2-valid-checksum",
		frame: func(src netip.Addr) Frame {
			f := mutated6(nil, nil)(src)
			f.Payload[0] = 0x21
			f.Payload[6], f.Payload[7] = 0, 0
			sum := vrrp.Checksum(f.Payload, src, Group6)
			f.Payload[6], f.Payload[7] = byte(sum>>8), byte(sum)
			return f
		},
		log: "wrong version. Received 2 and expect 3", goReason: "version_err"},
	{name: "truncated",
		// Its checksum no longer matches either: dropped by the kernel.
		frame: mutated6(nil, func(b []byte) []byte { return b[:12] })},
}

// TestBadAdvertsIPv6Mixed injects bad VRRPv3/IPv6 adverts from the
// injector's link-local address into the IPv6 variant of the seed pair,
// keepalived on lb1 and gokeepalived on lb2.
func TestBadAdvertsIPv6Mixed(t *testing.T) {
	g := gokeepalived(t)
	c1, c2 := seedConfs(t)
	runInjectionVIP(t, Keepalived, g, IPv6(c1), IPv6(c2), v6Adverts, mutated6(nil, nil), VIP6)
}
