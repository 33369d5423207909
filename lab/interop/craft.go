package interop

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"

	"github.com/goha-lb/goha/vrrp"
)

// Frame describes one hand-made Ethernet frame carrying a VRRP payload,
// with the knobs a well-behaved sender never turns: any TTL, a broken IP
// header checksum, any payload bytes.
type Frame struct {
	SrcMAC  net.HardwareAddr
	Src     netip.Addr // IPv4 or IPv6 source
	Dst     netip.Addr // usually 224.0.0.18 or ff02::12
	TTL     uint8      // IPv4 TTL / IPv6 hop limit; 0 means 255
	Payload []byte     // the VRRP message as it should appear on the wire
	// BadIPChecksum flips the IPv4 header checksum (the kernel drops such
	// a packet before any socket sees it).
	BadIPChecksum bool
}

// MulticastMAC is the Ethernet group address of an IP multicast address
// (RFC 1112 for IPv4, RFC 2464 for IPv6); ff:ff:ff:ff:ff:ff otherwise.
func MulticastMAC(a netip.Addr) net.HardwareAddr {
	switch {
	case a.Is4() && a.IsMulticast():
		b := a.As4()
		return net.HardwareAddr{0x01, 0x00, 0x5e, b[1] & 0x7f, b[2], b[3]}
	case a.Is6() && a.IsMulticast():
		b := a.As16()
		return net.HardwareAddr{0x33, 0x33, b[12], b[13], b[14], b[15]}
	}
	return net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
}

// Bytes serialises the frame: Ethernet, IPv4 (TOS 0xc0, as keepalived) or
// IPv6 (traffic class 0xc0), then the payload verbatim.
func (f Frame) Bytes() ([]byte, error) {
	if len(f.SrcMAC) != 6 {
		return nil, errors.New("interop: frame needs a 6-byte source MAC")
	}
	if f.Src.Is4() != f.Dst.Is4() {
		return nil, fmt.Errorf("interop: source %s and destination %s of different families", f.Src, f.Dst)
	}
	ttl := f.TTL
	if ttl == 0 {
		ttl = 255
	}
	eth := &layers.Ethernet{SrcMAC: f.SrcMAC, DstMAC: MulticastMAC(f.Dst)}
	var ip gopacket.SerializableLayer
	if f.Src.Is4() {
		eth.EthernetType = layers.EthernetTypeIPv4
		ip = &layers.IPv4{Version: 4, IHL: 5, TOS: 0xc0, TTL: ttl, Protocol: vrrp.ProtocolNumber,
			SrcIP: f.Src.AsSlice(), DstIP: f.Dst.AsSlice()}
	} else {
		eth.EthernetType = layers.EthernetTypeIPv6
		ip = &layers.IPv6{Version: 6, TrafficClass: 0xc0, HopLimit: ttl, NextHeader: vrrp.ProtocolNumber,
			SrcIP: f.Src.AsSlice(), DstIP: f.Dst.AsSlice()}
	}
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, eth, ip, gopacket.Payload(f.Payload)); err != nil {
		return nil, fmt.Errorf("interop: serialise frame: %w", err)
	}
	out := buf.Bytes()
	if f.BadIPChecksum && f.Src.Is4() {
		// IPv4 header checksum: bytes 10-11 of the IP header, after 14 of Ethernet.
		out[14+10] ^= 0xff
	}
	return out, nil
}

// Advert marshals a into the payload keepalived would send from src to
// dst (v3 checksums cover the pseudo-header).
func Advert(a vrrp.Advert, src, dst netip.Addr) []byte {
	b, err := a.Marshal(src, dst)
	if err != nil {
		panic(fmt.Sprintf("interop: advert %+v: %v", a, err))
	}
	return b
}

// V2Advert is the seed's advert (VRID 51, 1 s, auth none, VIP
// 192.168.110.100) at priority prio, as keepalived-lb1.conf puts it on
// the wire under vrrp_strict.
func V2Advert(prio uint8) vrrp.Advert {
	return vrrp.Advert{Version: 2, Type: vrrp.TypeAdvertisement, VRID: 51, Priority: prio,
		AdverInt: 1, Addrs: []netip.Addr{netip.MustParseAddr(VIP)}}
}
