package netio

import (
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// VIP is one virtual_ipaddress line as it is put on an interface.
type VIP struct {
	// Prefix is the address and its prefix length; keepalived's default
	// for an address written without one is /32 (IPv4) or /128 (IPv6).
	Prefix netip.Prefix
	// Broadcast is the `brd` option. The zero Addr means no broadcast
	// address at all, as keepalived adds none unless told.
	Broadcast netip.Addr
	// Label is the IPv4 `label` option ("ens160:1"), empty for none.
	Label string
	// Scope is the `scope` option (unix.RT_SCOPE_*; 0 = global).
	Scope uint8
	// Peer is the `peer` option: the other end of a point-to-point
	// address (Prefix is then /32 or /128, as keepalived adds it).
	Peer netip.Addr
	// DAD is keepalived's `-nodad`, which reads "not nodad": an IPv6 VIP
	// then goes through duplicate address detection. Without it IPv6 VIPs
	// get IFA_F_NODAD, as keepalived adds them.
	DAD bool
	// PreferredLft is `preferred_lft N|forever` (IPv6), used when
	// HasPreferredLft; the address is then valid forever.
	PreferredLft    uint32
	HasPreferredLft bool
	// Flags are further IFA_F_* flags from the VIP line: home (IPv6
	// IFA_F_HOMEADDRESS), mngtmpaddr, noprefixroute, autojoin.
	Flags uint32
}

// HostVIP is a VIP for a bare address, with keepalived's default prefix
// length (/32 or /128) and no options.
func HostVIP(a netip.Addr) VIP {
	return VIP{Prefix: netip.PrefixFrom(a, a.BitLen())}
}

func (v VIP) String() string { return v.Prefix.String() }

// Addrs adds and removes VIPs on one interface with netlink. It is safe for
// concurrent use.
type Addrs struct {
	h       *netlink.Handle
	ifindex int
}

// NewAddrs opens a netlink socket in the calling thread's namespace for
// the interface with index ifindex.
func NewAddrs(ifindex int) (*Addrs, error) {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("netio: netlink: %w", err)
	}
	return &Addrs{h: h, ifindex: ifindex}, nil
}

// NewAddrsWithHandle uses an existing handle (for instance one from
// netlink.NewHandleAt) instead of opening one. Close closes it.
func NewAddrsWithHandle(h *netlink.Handle, ifindex int) *Addrs {
	return &Addrs{h: h, ifindex: ifindex}
}

// Close releases the netlink socket.
func (a *Addrs) Close() { a.h.Close() }

// infiniteLifetime is the "forever" address lifetime (INFINITY_LIFE_TIME).
const infiniteLifetime = 0xffffffff

// nlAddr is the netlink form of v. IPv4 gets an explicit 0.0.0.0
// broadcast when none is wanted, because the library otherwise computes
// one; IPv6 gets IFA_F_NODAD so the address is usable (and answerable by
// NA) at once instead of after duplicate address detection, as keepalived.
func (v VIP) nlAddr() *netlink.Addr {
	a := &netlink.Addr{
		IPNet: &net.IPNet{
			IP:   v.Prefix.Addr().AsSlice(),
			Mask: net.CIDRMask(v.Prefix.Bits(), v.Prefix.Addr().BitLen()),
		},
		Scope: int(v.Scope),
		Flags: int(v.Flags),
	}
	if v.Peer.IsValid() {
		// The kernel's IFA_ADDRESS is then the peer, IFA_LOCAL ours.
		a.Peer = &net.IPNet{IP: v.Peer.AsSlice(), Mask: net.CIDRMask(v.Peer.BitLen(), v.Peer.BitLen())}
	}
	if v.Prefix.Addr().Is4() {
		a.Broadcast = net.IPv4zero
		if v.Broadcast.IsValid() {
			a.Broadcast = v.Broadcast.AsSlice()
		}
		a.Label = v.Label
	} else {
		if !v.DAD {
			a.Flags |= unix.IFA_F_NODAD
		}
		switch {
		case v.HasPreferredLft:
			a.PreferedLft = int(v.PreferredLft)
			a.ValidLft = infiniteLifetime
		case v.Prefix.Addr().IsLinkLocalUnicast():
			// keepalived adds a link-local VIP deprecated (preferred
			// lifetime 0, valid forever) so the kernel never picks it
			// as a source address, e.g. for our own adverts.
			a.PreferedLft = 0
			a.ValidLft = infiniteLifetime
		}
	}
	return a
}

func (a *Addrs) link() (netlink.Link, error) {
	l, err := a.h.LinkByIndex(a.ifindex)
	if err != nil {
		return nil, fmt.Errorf("netio: link %d: %w", a.ifindex, err)
	}
	return l, nil
}

// Add puts each VIP on the interface and returns those it really added:
// a VIP already present (EEXIST) is not an error and not reported. On an
// error Add still tries the remaining VIPs and returns the first error.
func (a *Addrs) Add(vips ...VIP) (added []VIP, err error) {
	l, err := a.link()
	if err != nil {
		return nil, err
	}
	for _, v := range vips {
		if !v.Prefix.IsValid() {
			err = errors.Join(err, fmt.Errorf("netio: add VIP: invalid prefix %v", v.Prefix))
			continue
		}
		switch e := a.h.AddrAdd(l, v.nlAddr()); {
		case e == nil:
			added = append(added, v)
		case errors.Is(e, unix.EEXIST):
		default:
			if err == nil {
				err = fmt.Errorf("netio: add %s to %s: %w", v, l.Attrs().Name, e)
			}
		}
	}
	return added, err
}

// Del removes each VIP from the interface and returns those it really
// removed: a VIP already gone (EADDRNOTAVAIL / ENOENT / ENODEV) is not an
// error and not reported.
func (a *Addrs) Del(vips ...VIP) (removed []VIP, err error) {
	l, err := a.link()
	if err != nil {
		return nil, err
	}
	for _, v := range vips {
		if !v.Prefix.IsValid() {
			continue
		}
		switch e := a.h.AddrDel(l, v.nlAddr()); {
		case e == nil:
			removed = append(removed, v)
		case errors.Is(e, unix.EADDRNOTAVAIL), errors.Is(e, unix.ENOENT), errors.Is(e, unix.ENODEV):
		default:
			if err == nil {
				err = fmt.Errorf("netio: delete %s from %s: %w", v, l.Attrs().Name, e)
			}
		}
	}
	return removed, err
}

// Has reports whether addr is on the interface (any prefix length).
func (a *Addrs) Has(addr netip.Addr) (bool, error) {
	l, err := a.link()
	if err != nil {
		return false, err
	}
	list, err := a.h.AddrList(l, netlink.FAMILY_ALL)
	if err != nil {
		return false, fmt.Errorf("netio: addresses of %s: %w", l.Attrs().Name, err)
	}
	for _, x := range list {
		if ip, ok := netip.AddrFromSlice(x.IP); ok && ip.Unmap() == addr {
			return true, nil
		}
	}
	return false, nil
}
