package netio

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/google/gopacket"
	"github.com/google/gopacket/layers"
	"github.com/mdlayher/packet"
)

// Lengths of keepalived's frames (no Ethernet padding: the kernel does not
// pad frames written on a packet socket, the NIC does on the wire).
const (
	GARPLen = 14 + 28      // Ethernet + ARP
	NALen   = 14 + 40 + 32 // Ethernet + IPv6 + NA with target link-layer option
)

var (
	broadcastMAC = net.HardwareAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff}
	// allNodesMAC is ff02::1 mapped to Ethernet (RFC 2464 section 7).
	allNodesMAC = net.HardwareAddr{0x33, 0x33, 0, 0, 0, 1}
	allNodes    = netip.MustParseAddr("ff02::1")
)

// Announcer sends keepalived's gratuitous ARPs and unsolicited neighbour
// advertisements on one interface. It is safe for concurrent use. Pacing
// (vrrp_garp_interval, bursts) is the caller's business: every call sends
// exactly one frame.
type Announcer struct {
	ifi    *net.Interface
	conn   *packet.Conn
	router bool
}

// NewAnnouncer opens a send-only packet socket on ifname in the calling
// thread's namespace. It also reads the interface's IPv6 forwarding
// setting now, because keepalived sets the NA's Router flag from it.
func NewAnnouncer(ifname string) (*Announcer, error) {
	ifi, err := net.InterfaceByName(ifname)
	if err != nil {
		return nil, fmt.Errorf("netio: interface %s: %w", ifname, err)
	}
	if len(ifi.HardwareAddr) != 6 {
		return nil, fmt.Errorf("netio: %s has no Ethernet address", ifname)
	}
	// Protocol 0: nothing is ever queued for reading on this socket.
	c, err := packet.Listen(ifi, packet.Raw, 0, nil)
	if err != nil {
		return nil, fmt.Errorf("netio: packet socket on %s: %w", ifname, err)
	}
	return &Announcer{ifi: ifi, conn: c, router: ipv6Forwarding(ifname)}, nil
}

func ipv6Forwarding(ifname string) bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/conf/" + ifname + "/forwarding")
	return err == nil && strings.TrimSpace(string(b)) == "1"
}

// Close closes the packet socket.
func (a *Announcer) Close() error { return a.conn.Close() }

// Announce sends a gratuitous ARP for an IPv4 address or an unsolicited
// NA for an IPv6 one.
func (a *Announcer) Announce(vip netip.Addr) error {
	var frame []byte
	var dst net.HardwareAddr
	var err error
	if vip.Is4() || vip.Is4In6() {
		frame, err = GARPFrame(a.ifi.HardwareAddr, vip.Unmap())
		dst = broadcastMAC
	} else {
		frame, err = NAFrame(a.ifi.HardwareAddr, vip, a.router)
		dst = allNodesMAC
	}
	if err != nil {
		return err
	}
	if _, err := a.conn.WriteTo(frame, &packet.Addr{HardwareAddr: dst}); err != nil {
		return fmt.Errorf("netio: announce %s on %s: %w", vip, a.ifi.Name, err)
	}
	return nil
}

// GARPFrame is keepalived's gratuitous ARP for vip from mac: a broadcast
// ARP request whose sender and target protocol addresses are both the VIP
// and whose target hardware address is ff:ff:ff:ff:ff:ff.
func GARPFrame(mac net.HardwareAddr, vip netip.Addr) ([]byte, error) {
	if !vip.Is4() {
		return nil, fmt.Errorf("netio: gratuitous ARP needs an IPv4 address, not %s", vip)
	}
	if len(mac) != 6 {
		return nil, errors.New("netio: gratuitous ARP needs a 6-byte MAC")
	}
	ip := vip.AsSlice()
	arp := &layers.ARP{
		AddrType:          layers.LinkTypeEthernet,
		Protocol:          layers.EthernetTypeIPv4,
		HwAddressSize:     6,
		ProtAddressSize:   4,
		Operation:         layers.ARPRequest,
		SourceHwAddress:   mac,
		SourceProtAddress: ip,
		DstHwAddress:      broadcastMAC,
		DstProtAddress:    ip,
	}
	return serialize(ethHeader(broadcastMAC, mac, layers.EthernetTypeARP), arp)
}

// NAFrame is keepalived's unsolicited neighbour advertisement for vip from
// mac: to ff02::1 (33:33:00:00:00:01) from the VIP itself, hop limit 255,
// Override set, Solicited clear, Router as given, and a target link-layer
// address option carrying mac.
func NAFrame(mac net.HardwareAddr, vip netip.Addr, router bool) ([]byte, error) {
	if !vip.Is6() || vip.Is4In6() {
		return nil, fmt.Errorf("netio: neighbour advertisement needs an IPv6 address, not %s", vip)
	}
	if len(mac) != 6 {
		return nil, errors.New("netio: neighbour advertisement needs a 6-byte MAC")
	}
	ip6 := &layers.IPv6{
		Version:    6,
		NextHeader: layers.IPProtocolICMPv6,
		HopLimit:   255,
		SrcIP:      vip.AsSlice(),
		DstIP:      allNodes.AsSlice(),
	}
	icmp := &layers.ICMPv6{TypeCode: layers.CreateICMPv6TypeCode(layers.ICMPv6TypeNeighborAdvertisement, 0)}
	if err := icmp.SetNetworkLayerForChecksum(ip6); err != nil {
		return nil, err
	}
	var flags uint8 = 0x20 // Override
	if router {
		flags |= 0x80
	}
	na := &layers.ICMPv6NeighborAdvertisement{
		Flags:         flags,
		TargetAddress: vip.AsSlice(),
		Options: layers.ICMPv6Options{{
			Type: layers.ICMPv6OptTargetAddress,
			Data: []byte(mac),
		}},
	}
	return serialize(ethHeader(allNodesMAC, mac, layers.EthernetTypeIPv6), ip6, icmp, na)
}

// ethHeader is a 14-byte Ethernet II header. It is written by hand because
// gopacket's Ethernet layer pads frames to 60 bytes, and keepalived's GARP
// leaves the host as 42 bytes.
func ethHeader(dst, src net.HardwareAddr, typ layers.EthernetType) []byte {
	h := make([]byte, 14)
	copy(h, dst)
	copy(h[6:], src)
	h[12], h[13] = byte(typ>>8), byte(typ)
	return h
}

// serialize appends the layers after the Ethernet header eth.
func serialize(eth []byte, ls ...gopacket.SerializableLayer) ([]byte, error) {
	buf := gopacket.NewSerializeBuffer()
	opts := gopacket.SerializeOptions{FixLengths: true, ComputeChecksums: true}
	if err := gopacket.SerializeLayers(buf, opts, ls...); err != nil {
		return nil, fmt.Errorf("netio: build frame: %w", err)
	}
	return append(eth, buf.Bytes()...), nil
}
