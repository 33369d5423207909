package netio

import (
	"bytes"
	"encoding/binary"
	"net"
	"net/netip"
	"testing"
)

var testMAC = net.HardwareAddr{0x02, 0x42, 0xac, 0x11, 0x00, 0x02}

func TestGARPFrameBytes(t *testing.T) {
	got, err := GARPFrame(testMAC, netip.MustParseAddr("192.168.110.100"))
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // broadcast
		0x02, 0x42, 0xac, 0x11, 0x00, 0x02, // from the interface
		0x08, 0x06, // ARP
		0x00, 0x01, 0x08, 0x00, 0x06, 0x04, // Ethernet/IPv4, 6/4
		0x00, 0x01, // request
		0x02, 0x42, 0xac, 0x11, 0x00, 0x02, 192, 168, 110, 100, // sender = VIP
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 192, 168, 110, 100, // target = VIP, MAC ff:..
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("GARP frame\n got % x\nwant % x", got, want)
	}
	if len(got) != GARPLen {
		t.Fatalf("GARP is %d bytes, keepalived sends %d", len(got), GARPLen)
	}
}

// icmp6Sum is the Internet checksum of the IPv6 pseudo-header and an ICMPv6
// message, written out independently of gopacket to check its result.
func icmp6Sum(src, dst netip.Addr, msg []byte) uint16 {
	var ph []byte
	ph = append(ph, src.AsSlice()...)
	ph = append(ph, dst.AsSlice()...)
	ph = binary.BigEndian.AppendUint32(ph, uint32(len(msg)))
	ph = append(ph, 0, 0, 0, 58)
	ph = append(ph, msg...)
	if len(ph)%2 == 1 {
		ph = append(ph, 0)
	}
	var s uint32
	for i := 0; i < len(ph); i += 2 {
		s += uint32(ph[i])<<8 | uint32(ph[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return ^uint16(s)
}

func TestNAFrameBytes(t *testing.T) {
	vip := netip.MustParseAddr("2001:db8::100")
	for _, router := range []bool{false, true} {
		got, err := NAFrame(testMAC, vip, router)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != NALen {
			t.Fatalf("NA is %d bytes, keepalived sends %d", len(got), NALen)
		}
		flags := byte(0x20)
		if router {
			flags = 0xa0
		}
		want := []byte{
			0x33, 0x33, 0, 0, 0, 1, // ff02::1
			0x02, 0x42, 0xac, 0x11, 0x00, 0x02,
			0x86, 0xdd,
			0x60, 0, 0, 0, // version 6, traffic class 0, flow 0
			0, 32, 58, 255, // payload 32, ICMPv6, hop limit 255
		}
		want = append(want, vip.AsSlice()...)
		want = append(want, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)
		icmp := []byte{136, 0, 0, 0, flags, 0, 0, 0}
		icmp = append(icmp, vip.AsSlice()...)
		icmp = append(icmp, 2, 1) // target link-layer address, 8 bytes
		icmp = append(icmp, testMAC...)
		binary.BigEndian.PutUint16(icmp[2:], icmp6Sum(vip, allNodes, icmp))
		want = append(want, icmp...)
		if !bytes.Equal(got, want) {
			t.Fatalf("NA frame (router=%v)\n got % x\nwant % x", router, got, want)
		}
	}
}

func TestFramesRejectWrongFamily(t *testing.T) {
	if _, err := GARPFrame(testMAC, netip.MustParseAddr("fe80::1")); err == nil {
		t.Error("GARP for an IPv6 address accepted")
	}
	if _, err := NAFrame(testMAC, netip.MustParseAddr("10.0.0.1"), false); err == nil {
		t.Error("NA for an IPv4 address accepted")
	}
	if _, err := GARPFrame(net.HardwareAddr{1, 2, 3}, netip.MustParseAddr("10.0.0.1")); err == nil {
		t.Error("GARP with a 3-byte MAC accepted")
	}
}
