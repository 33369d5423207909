package netio

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/net/ipv4"
	"golang.org/x/net/ipv6"
	"golang.org/x/sys/unix"
)

// ProtoVRRP is VRRP's IP protocol number.
const ProtoVRRP = 112

// The VRRP multicast groups (RFC 3768 / RFC 5798); keepalived's
// vrrp_mcast_group4 / vrrp_mcast_group6 replace them.
var (
	GroupV4 = netip.MustParseAddr("224.0.0.18")
	GroupV6 = netip.MustParseAddr("ff02::12")
)

// What keepalived puts in every advert's IP header: TTL / hop limit 255
// (receivers drop anything else, RFC 3768 7.1) and precedence "internetwork
// control" (TOS / traffic class 0xc0).
const (
	advertTTL = 255
	advertTOS = 0xc0
)

// vrrpChecksumOffset is where the checksum sits in a VRRP header; the IPv6
// socket asks the kernel to compute and verify it there (IPV6_CHECKSUM).
const vrrpChecksumOffset = 6

// ConnConfig says which socket Listen opens.
type ConnConfig struct {
	// Interface is the name of the interface adverts are sent and
	// received on, looked up in the caller's namespace.
	Interface string
	// IPv6 selects an ip6:112 socket (VRRPv3 over IPv6) instead of ip4:112.
	IPv6 bool
	// Group is the multicast group joined and sent to; zero means
	// 224.0.0.18 or ff02::12. Ignored when Unicast is set.
	Group netip.Addr
	// Unicast (unicast_peer configured): no group is joined and Send must
	// be given each peer's address.
	Unicast bool
	// Src is the source of sent adverts (mcast_src_ip / unicast_src_ip).
	// Zero means the interface's primary IPv4 address, or its first IPv6
	// link-local address, as keepalived picks them; Listen fails if the
	// interface has none.
	Src netip.Addr
}

// Meta describes a received packet. The receive checks need all of it: TTL
// must be 255 for multicast, the destination tells multicast from unicast,
// the source breaks priority ties.
type Meta struct {
	Src, Dst netip.Addr
	// TTL is the IPv4 TTL or IPv6 hop limit as received, -1 if the kernel
	// did not report it.
	TTL int
	// IfIndex is the interface the packet arrived on (0 if not reported).
	IfIndex int
	// Multicast is true when Dst is a multicast address.
	Multicast bool
}

// Conn is a raw VRRP socket bound to one interface. Recv must be called
// from one goroutine at a time; Send may be called from any goroutine.
//
// The socket is SO_BINDTODEVICE'd to the interface, so it sees only adverts
// arriving there; multicast loopback is off, so it never sees its own; and
// multicast-all is off, so it gets only its own group (or, in unicast
// mode, only adverts sent to one of the host's addresses). A Conn receives
// every such advert whatever its VRID: several instances on one interface
// and group either share one Conn and demultiplex with vrrp.PeekVRID, or
// each open their own (each then receives every advert).
//
// After Close, a blocked or later Recv returns an error matching
// net.ErrClosed (errors.Is).
//
// IPv4 adverts are written with IP_HDRINCL, as keepalived does, so the
// header is ours: TOS 0xc0, TTL 255, no DF, and an IP ID that starts at 1
// and counts up per Conn (keepalived counts per instance: open one Conn per
// instance to get the same IDs). The kernel fills in the total length and
// the header checksum (and would choose an ID if ours were 0, which it
// never is).
//
// IPv6 adverts go through an ordinary raw socket: hop limit 255, traffic
// class 0xc0, source set per packet with IPV6_PKTINFO, and the kernel
// computes the VRRP checksum (IPV6_CHECKSUM at offset 6) on send and
// verifies it on receive — an IPv6 advert with a bad checksum is dropped by
// the kernel and never reaches Recv.
type Conn struct {
	cfg     ConnConfig
	ifi     *net.Interface
	src     netip.Addr
	group   netip.Addr // zero in unicast mode
	closeFn func() error

	v4 *ipv4.RawConn
	v6 *ipv6.PacketConn

	mu sync.Mutex // guards id
	id uint16

	rbuf []byte
}

// Listen opens a VRRP socket in the calling thread's network namespace.
func Listen(cfg ConnConfig) (*Conn, error) {
	if cfg.Interface == "" {
		return nil, errors.New("netio: Listen: no interface")
	}
	ifi, err := net.InterfaceByName(cfg.Interface)
	if err != nil {
		return nil, fmt.Errorf("netio: interface %s: %w", cfg.Interface, err)
	}
	c := &Conn{cfg: cfg, ifi: ifi, rbuf: make([]byte, 65536)}
	if !cfg.Unicast {
		c.group = cfg.Group
		if !c.group.IsValid() {
			c.group = GroupV4
			if cfg.IPv6 {
				c.group = GroupV6
			}
		}
		if !c.group.IsMulticast() || c.group.Is6() != cfg.IPv6 {
			return nil, fmt.Errorf("netio: group %s is not an IPv%s multicast address", c.group, ipVersion(cfg.IPv6))
		}
	}
	c.src = cfg.Src
	if !c.src.IsValid() {
		if c.src, err = interfaceSource(ifi, cfg.IPv6); err != nil {
			return nil, err
		}
	}
	if c.src.Is6() != cfg.IPv6 {
		return nil, fmt.Errorf("netio: source %s is not an IPv%s address", c.src, ipVersion(cfg.IPv6))
	}
	if cfg.IPv6 {
		err = c.listen6()
	} else {
		err = c.listen4()
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

func ipVersion(v6 bool) string {
	if v6 {
		return "6"
	}
	return "4"
}

// bindToDevice makes a ListenConfig whose socket only sees ifname's
// traffic, and only the multicast groups it joins itself: by default
// (IP_MULTICAST_ALL / IPV6_MULTICAST_ALL on) a raw socket also gets every
// group any other socket of the host joined, so a unicast Conn would
// hear a neighbour instance's multicast adverts.
func bindToDevice(ifname string, v6 bool) *net.ListenConfig {
	return &net.ListenConfig{Control: func(_, _ string, rc syscall.RawConn) error {
		var serr error
		err := rc.Control(func(fd uintptr) {
			serr = unix.SetsockoptString(int(fd), unix.SOL_SOCKET, unix.SO_BINDTODEVICE, ifname)
			if serr != nil {
				return
			}
			if v6 {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_MULTICAST_ALL, 0)
			} else {
				serr = unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_MULTICAST_ALL, 0)
			}
		})
		if err != nil {
			return err
		}
		return serr
	}}
}

func (c *Conn) listen4() error {
	pc, err := bindToDevice(c.ifi.Name, false).ListenPacket(context.Background(), "ip4:112", "0.0.0.0")
	if err != nil {
		return fmt.Errorf("netio: ip4:112 socket on %s: %w", c.ifi.Name, err)
	}
	rc, err := ipv4.NewRawConn(pc)
	if err != nil {
		pc.Close()
		return fmt.Errorf("netio: ip4:112 raw conn on %s: %w", c.ifi.Name, err)
	}
	c.v4, c.closeFn = rc, rc.Close
	fail := func(what string, err error) error {
		rc.Close()
		return fmt.Errorf("netio: %s on %s: %w", what, c.ifi.Name, err)
	}
	if err := rc.SetControlMessage(ipv4.FlagTTL|ipv4.FlagDst|ipv4.FlagInterface, true); err != nil {
		return fail("control messages", err)
	}
	if err := rc.SetMulticastInterface(c.ifi); err != nil {
		return fail("multicast interface", err)
	}
	if err := rc.SetMulticastLoopback(false); err != nil {
		return fail("multicast loopback", err)
	}
	if c.group.IsValid() {
		if err := rc.JoinGroup(c.ifi, &net.IPAddr{IP: c.group.AsSlice()}); err != nil {
			return fail("join "+c.group.String(), err)
		}
	}
	return nil
}

func (c *Conn) listen6() error {
	pc, err := bindToDevice(c.ifi.Name, true).ListenPacket(context.Background(), "ip6:112", "::")
	if err != nil {
		return fmt.Errorf("netio: ip6:112 socket on %s: %w", c.ifi.Name, err)
	}
	p := ipv6.NewPacketConn(pc)
	c.v6, c.closeFn = p, p.Close
	fail := func(what string, err error) error {
		p.Close()
		return fmt.Errorf("netio: %s on %s: %w", what, c.ifi.Name, err)
	}
	if err := p.SetChecksum(true, vrrpChecksumOffset); err != nil {
		return fail("IPV6_CHECKSUM", err)
	}
	if err := p.SetControlMessage(ipv6.FlagHopLimit|ipv6.FlagDst|ipv6.FlagInterface, true); err != nil {
		return fail("control messages", err)
	}
	if err := p.SetHopLimit(advertTTL); err != nil {
		return fail("hop limit", err)
	}
	if err := p.SetMulticastHopLimit(advertTTL); err != nil {
		return fail("multicast hop limit", err)
	}
	if err := p.SetTrafficClass(advertTOS); err != nil {
		return fail("traffic class", err)
	}
	if err := p.SetMulticastInterface(c.ifi); err != nil {
		return fail("multicast interface", err)
	}
	if err := p.SetMulticastLoopback(false); err != nil {
		return fail("multicast loopback", err)
	}
	if c.group.IsValid() {
		if err := p.JoinGroup(c.ifi, &net.IPAddr{IP: c.group.AsSlice()}); err != nil {
			return fail("join "+c.group.String(), err)
		}
	}
	return nil
}

// interfaceSource picks the advert source keepalived uses by default: the
// interface's primary IPv4 address, or its first IPv6 link-local address.
func interfaceSource(ifi *net.Interface, v6 bool) (netip.Addr, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("netio: netlink: %w", err)
	}
	defer h.Close()
	link, err := h.LinkByIndex(ifi.Index)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("netio: link %s: %w", ifi.Name, err)
	}
	fam := netlink.FAMILY_V4
	if v6 {
		fam = netlink.FAMILY_V6
	}
	addrs, err := h.AddrList(link, fam)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("netio: addresses of %s: %w", ifi.Name, err)
	}
	var tentative netip.Addr
	for _, a := range addrs {
		ip, ok := netip.AddrFromSlice(a.IP)
		if !ok {
			continue
		}
		ip = ip.Unmap()
		if v6 && ip.Is6() && ip.IsLinkLocalUnicast() {
			// A tentative address cannot be a source yet (sendmsg
			// fails with EINVAL): prefer one that is usable, but take a
			// tentative one rather than none, as it soon will be.
			if a.Flags&(unix.IFA_F_TENTATIVE|unix.IFA_F_DADFAILED) == 0 {
				return ip, nil
			}
			if !tentative.IsValid() {
				tentative = ip
			}
		}
		if !v6 && ip.Is4() && a.Flags&unix.IFA_F_SECONDARY == 0 {
			return ip, nil
		}
	}
	if tentative.IsValid() {
		return tentative, nil
	}
	if v6 {
		return netip.Addr{}, fmt.Errorf("netio: %s has no IPv6 link-local address", ifi.Name)
	}
	return netip.Addr{}, fmt.Errorf("netio: %s has no primary IPv4 address", ifi.Name)
}

// Src is the source address of sent adverts (the one to put in the
// checksum's pseudo-header and to compare in priority ties).
func (c *Conn) Src() netip.Addr { return c.src }

// Group is the multicast group, zero in unicast mode.
func (c *Conn) Group() netip.Addr { return c.group }

// Interface is the interface the Conn is bound to.
func (c *Conn) Interface() *net.Interface { return c.ifi }

// Send writes one VRRP payload (an already marshalled advert) to dst, or
// to the group when dst is the zero Addr.
func (c *Conn) Send(payload []byte, dst netip.Addr) error {
	if !dst.IsValid() {
		if !c.group.IsValid() {
			return errors.New("netio: Send: unicast Conn needs a destination")
		}
		dst = c.group
	}
	if dst.Is6() != c.cfg.IPv6 || (!c.cfg.IPv6 && dst.Is4In6()) {
		return fmt.Errorf("netio: Send: destination %s is not IPv%s", dst, ipVersion(c.cfg.IPv6))
	}
	if c.v6 != nil {
		cm := &ipv6.ControlMessage{
			TrafficClass: advertTOS,
			HopLimit:     advertTTL,
			Src:          c.src.AsSlice(),
			IfIndex:      c.ifi.Index,
		}
		_, err := c.v6.WriteTo(payload, cm, &net.IPAddr{IP: dst.AsSlice()})
		if err != nil {
			return fmt.Errorf("netio: send to %s on %s: %w", dst, c.ifi.Name, err)
		}
		return nil
	}
	h := &ipv4.Header{
		Version:  ipv4.Version,
		Len:      ipv4.HeaderLen,
		TOS:      advertTOS,
		TotalLen: ipv4.HeaderLen + len(payload),
		ID:       int(c.nextID()),
		TTL:      advertTTL,
		Protocol: ProtoVRRP,
		Src:      c.src.AsSlice(),
		Dst:      dst.AsSlice(),
	}
	if err := c.v4.WriteTo(h, payload, nil); err != nil {
		return fmt.Errorf("netio: send to %s on %s: %w", dst, c.ifi.Name, err)
	}
	return nil
}

// nextID returns the IPv4 ID of the next advert: 1, 2, ... 65535, 1, ...
// (0 would let the kernel choose one).
func (c *Conn) nextID() uint16 {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.id++
	if c.id == 0 {
		c.id = 1
	}
	return c.id
}

// Recv waits for the next packet and returns its VRRP payload (a fresh
// slice the caller may keep) and metadata. Nothing is validated here:
// a packet with TTL 64 is returned with TTL 64 for the receive checks to
// drop and count.
func (c *Conn) Recv() ([]byte, Meta, error) {
	if c.v6 != nil {
		n, cm, from, err := c.v6.ReadFrom(c.rbuf)
		if err != nil {
			return nil, Meta{}, err
		}
		m := Meta{TTL: -1}
		if ia, ok := from.(*net.IPAddr); ok {
			m.Src, _ = netip.AddrFromSlice(ia.IP)
		}
		if cm != nil {
			m.TTL = cm.HopLimit
			m.IfIndex = cm.IfIndex
			m.Dst, _ = netip.AddrFromSlice(cm.Dst)
		}
		m.Multicast = m.Dst.IsMulticast()
		return append([]byte(nil), c.rbuf[:n]...), m, nil
	}
	h, p, cm, err := c.v4.ReadFrom(c.rbuf)
	if err != nil {
		return nil, Meta{}, err
	}
	m := Meta{TTL: h.TTL}
	m.Src, _ = netip.AddrFromSlice(h.Src.To4())
	m.Dst, _ = netip.AddrFromSlice(h.Dst.To4())
	if cm != nil {
		m.IfIndex = cm.IfIndex
	}
	m.Multicast = m.Dst.IsMulticast()
	// The kernel hands raw IPv4 sockets the whole datagram; trust the
	// header's total length over the read size only when it is shorter
	// (Ethernet padding of tiny frames is not VRRP payload).
	if end := h.TotalLen - h.Len; end >= 0 && end < len(p) {
		p = p[:end]
	}
	return append([]byte(nil), p...), m, nil
}

// SetReadDeadline bounds the next Recv calls.
func (c *Conn) SetReadDeadline(t time.Time) error {
	if c.v6 != nil {
		return c.v6.SetReadDeadline(t)
	}
	return c.v4.SetReadDeadline(t)
}

// Close closes the socket (leaving the group); a blocked Recv returns an error.
func (c *Conn) Close() error { return c.closeFn() }
