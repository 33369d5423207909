package interop

import (
	"bytes"
	"encoding/hex"
	"net"
	"net/netip"
	"testing"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
)

var testMAC = net.HardwareAddr{0x02, 0, 0, 0, 0, 0x66}

func TestMulticastMAC(t *testing.T) {
	for _, c := range []struct{ ip, mac string }{
		{"224.0.0.18", "01:00:5e:00:00:12"},
		{"239.129.2.3", "01:00:5e:01:02:03"}, // the 24th bit is dropped
		{"ff02::12", "33:33:00:00:00:12"},
		{"192.168.110.11", "ff:ff:ff:ff:ff:ff"},
	} {
		if got := MulticastMAC(netip.MustParseAddr(c.ip)).String(); got != c.mac {
			t.Errorf("MulticastMAC(%s) = %s, want %s", c.ip, got, c.mac)
		}
	}
}

// The seed advert in a frame: keepalived's captured VRRP bytes, IPv4 header
// as keepalived sends it (TOS 0xc0, TTL 255, proto 112) with a valid
// header checksum.
func TestFrameSeedAdvert(t *testing.T) {
	src := netip.MustParseAddr(LB1Addr)
	payload := Advert(V2Advert(100), src, Group4)
	wantVRRP, _ := hex.DecodeString("213364010001" + "4bbd" + "c0a86e64" + "0000000000000000")
	if !bytes.Equal(payload, wantVRRP) {
		t.Fatalf("payload % x, want keepalived's % x", payload, wantVRRP)
	}
	b, err := Frame{SrcMAC: testMAC, Src: src, Dst: Group4, Payload: payload}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if len(b) != 60 { // 54 bytes, padded to the Ethernet minimum
		t.Fatalf("frame of %d bytes", len(b))
	}
	p := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
	eth := p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet)
	ip := p.Layer(layers.LayerTypeIPv4).(*layers.IPv4)
	if eth.DstMAC.String() != "01:00:5e:00:00:12" || !bytes.Equal(eth.SrcMAC, testMAC) {
		t.Errorf("ethernet %s -> %s", eth.SrcMAC, eth.DstMAC)
	}
	if ip.TOS != 0xc0 || ip.TTL != 255 || ip.Protocol != 112 || ip.Length != 40 || ip.IHL != 5 {
		t.Errorf("ip header %+v", ip)
	}
	if !bytes.Equal(ip.Payload, payload) {
		t.Errorf("ip payload % x", ip.Payload)
	}
	if sum := ipHeaderSum(b[14:34]); sum != 0xffff {
		t.Errorf("IPv4 header checksum does not verify (sum %#x)", sum)
	}
}

func TestFrameKnobs(t *testing.T) {
	src := netip.MustParseAddr(InjAddr)
	payload := Advert(V2Advert(254), src, Group4)
	b, err := Frame{SrcMAC: testMAC, Src: src, Dst: Group4, TTL: 64, BadIPChecksum: true, Payload: payload[:10]}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	if b[14+8] != 64 {
		t.Errorf("TTL %d, want 64", b[14+8])
	}
	if tot := int(b[16])<<8 | int(b[17]); tot != 30 {
		t.Errorf("IP total length %d, want 30 (truncated payload)", tot)
	}
	if sum := ipHeaderSum(b[14:34]); sum == 0xffff {
		t.Error("BadIPChecksum left a valid header checksum")
	}
}

func TestFrameIPv6(t *testing.T) {
	src := netip.MustParseAddr("fe80::1")
	b, err := Frame{SrcMAC: testMAC, Src: src, Dst: Group6, Payload: []byte{0x31, 51, 100, 0}}.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	p := gopacket.NewPacket(b, layers.LayerTypeEthernet, gopacket.Default)
	ip, ok := p.Layer(layers.LayerTypeIPv6).(*layers.IPv6)
	if !ok {
		t.Fatal("no IPv6 layer")
	}
	if ip.HopLimit != 255 || ip.TrafficClass != 0xc0 || ip.NextHeader != 112 || ip.Length != 4 {
		t.Errorf("ipv6 header %+v", ip)
	}
	if MulticastMAC(Group6).String() != p.Layer(layers.LayerTypeEthernet).(*layers.Ethernet).DstMAC.String() {
		t.Error("wrong destination MAC")
	}
}

func TestFrameErrors(t *testing.T) {
	if _, err := (Frame{Src: netip.MustParseAddr(InjAddr), Dst: Group4}).Bytes(); err == nil {
		t.Error("frame without MAC accepted")
	}
	if _, err := (Frame{SrcMAC: testMAC, Src: netip.MustParseAddr(InjAddr), Dst: Group6}).Bytes(); err == nil {
		t.Error("mixed families accepted")
	}
}

func ipHeaderSum(h []byte) uint16 {
	var s uint32
	for i := 0; i+1 < len(h); i += 2 {
		s += uint32(h[i])<<8 | uint32(h[i+1])
	}
	for s > 0xffff {
		s = s&0xffff + s>>16
	}
	return uint16(s)
}

func TestParseStats(t *testing.T) {
	in := "VRRP Instance: lb_ha\n  Packet Errors:\n    Length: 9\n    Invalid Type: 3\n  Authentication Errors:\n    Invalid Type: 2\n    Type Mismatch: 1\n  Priority Zero:\n    Received: 4\n  Advertisements:\n    Received: 5\n  Drops by reason:\n    ip_ttl_err: 3\n    Invalid Type: 1\n  Unknown VRID on socket: 7\n"
	got := parseStats(in)
	want := map[string]int{"Length": 9, "Invalid Type": 4, "auth Invalid Type": 2, "Type Mismatch": 1, "prio0 Received": 4, "ip_ttl_err": 3, "Unknown VRID on socket": 7, "Received": 5}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %d, want %d", k, got[k], v)
		}
	}
}
