package netio

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// VMAC is a use_vmac interface: a macvlan in private mode on the
// instance's interface carrying the RFC 5798 virtual router MAC, so that
// the VIPs answer and are announced with that MAC and move between
// routers without any ARP cache update.
type VMAC struct {
	Name   string // vrrp.VRID unless use_vmac names it
	Parent string // the instance's interface
	VRID   uint8
	IPv6   bool
}

// DefaultVMACName is keepalived 2.2.7's name for an unnamed use_vmac, for
// IPv4 and IPv6 instances alike (seen in a namespace: vrrp.61 for an
// IPv6 instance of VRID 61).
func DefaultVMACName(vrid uint8) string { return fmt.Sprintf("vrrp.%d", vrid) }

// VirtualMAC is the virtual router MAC of RFC 5798 section 7.3:
// 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6.
func VirtualMAC(vrid uint8, ipv6 bool) net.HardwareAddr {
	fam := byte(1)
	if ipv6 {
		fam = 2
	}
	return net.HardwareAddr{0x00, 0x00, 0x5e, 0x00, fam, vrid}
}

// vmacSysctls are what keepalived 2.2.7 changes for an IPv4 VMAC (sysctl -a
// diffed in a namespace before and after it started): the VMAC answers ARP
// only for its own addresses and accepts packets sourced from the host's
// other addresses; the parent stops answering ARP for addresses that live
// on the VMAC (arp_ignore, arp_filter), which keepalived leaves set after
// it stops. IPv6 is disabled on an IPv4 VMAC.
var (
	vmacSysctls4 = [][2]string{
		{"ipv4/conf/%s/arp_ignore", "1"},
		{"ipv4/conf/%s/accept_local", "1"},
		{"ipv4/conf/%s/rp_filter", "0"},
		{"ipv4/conf/%s/promote_secondaries", "1"},
		{"ipv6/conf/%s/disable_ipv6", "1"},
	}
	parentSysctls4 = [][2]string{
		{"ipv4/conf/%s/arp_ignore", "1"},
		{"ipv4/conf/%s/arp_filter", "1"},
	}
)

// CreateVMAC creates (or adopts, when a macvlan of that name already sits
// on the parent, as after a crash) the VMAC, applies keepalived's sysctls
// and brings it up. For IPv6 it puts the parent's link-local address on
// the VMAC (nodad, preferred lifetime 0, as keepalived), the advert source.
// It works in the calling thread's network namespace.
func CreateVMAC(v VMAC) (ifindex int, err error) {
	parent, err := netlink.LinkByName(v.Parent)
	if err != nil {
		return 0, fmt.Errorf("netio: vmac parent %s: %w", v.Parent, err)
	}
	mac := VirtualMAC(v.VRID, v.IPv6)
	link, err := netlink.LinkByName(v.Name)
	if err == nil {
		mv, ok := link.(*netlink.Macvlan)
		if !ok || mv.ParentIndex != parent.Attrs().Index {
			return 0, fmt.Errorf("netio: %s exists and is not a macvlan on %s", v.Name, v.Parent)
		}
	} else {
		mv := &netlink.Macvlan{
			LinkAttrs: netlink.LinkAttrs{Name: v.Name, ParentIndex: parent.Attrs().Index, HardwareAddr: mac},
			Mode:      netlink.MACVLAN_MODE_PRIVATE,
		}
		if err := netlink.LinkAdd(mv); err != nil {
			return 0, fmt.Errorf("netio: creating macvlan %s on %s: %w", v.Name, v.Parent, err)
		}
		if link, err = netlink.LinkByName(v.Name); err != nil {
			return 0, fmt.Errorf("netio: vmac %s: %w", v.Name, err)
		}
	}
	fail := func(err error) (int, error) {
		netlink.LinkDel(link)
		return 0, err
	}
	if err := netlink.LinkSetHardwareAddr(link, mac); err != nil {
		return fail(fmt.Errorf("netio: vmac %s address: %w", v.Name, err))
	}
	// No kernel-made link-local address: keepalived sets addrgenmode none.
	if err := netlink.LinkSetIP6AddrGenMode(link, 1); err != nil {
		return fail(fmt.Errorf("netio: vmac %s addrgenmode: %w", v.Name, err))
	}
	if !v.IPv6 {
		for _, s := range vmacSysctls4 {
			if err := writeSysctl(s[0], v.Name, s[1]); err != nil {
				return fail(err)
			}
		}
		for _, s := range parentSysctls4 {
			if err := writeSysctl(s[0], v.Parent, s[1]); err != nil {
				return fail(err)
			}
		}
	}
	if err := netlink.LinkSetUp(link); err != nil {
		return fail(fmt.Errorf("netio: vmac %s up: %w", v.Name, err))
	}
	waitRunning(v.Name, parent)
	if v.IPv6 {
		ll, err := parentLinkLocal(parent)
		if err != nil {
			return fail(err)
		}
		a := &netlink.Addr{IPNet: &net.IPNet{IP: ll.AsSlice(), Mask: net.CIDRMask(64, 128)},
			Flags: unix.IFA_F_NODAD, PreferedLft: 0, ValidLft: infiniteLifetime}
		if err := netlink.AddrReplace(link, a); err != nil {
			return fail(fmt.Errorf("netio: vmac %s link-local %s: %w", v.Name, ll, err))
		}
	}
	return link.Attrs().Index, nil
}

// waitRunning waits (at most 1 s) until a VMAC whose parent is running is
// running too: the kernel sets the carrier asynchronously, and an instance
// reading the link state before would start in FAULT.
func waitRunning(name string, parent netlink.Link) {
	if parent.Attrs().RawFlags&unix.IFF_RUNNING == 0 {
		return
	}
	deadline := time.Now().Add(time.Second)
	for time.Now().Before(deadline) {
		l, err := netlink.LinkByName(name)
		if err != nil || l.Attrs().RawFlags&unix.IFF_RUNNING != 0 {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// DeleteVMAC removes the VMAC; a missing one is not an error.
func DeleteVMAC(name string) error {
	link, err := netlink.LinkByName(name)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil
		}
		return fmt.Errorf("netio: vmac %s: %w", name, err)
	}
	if _, ok := link.(*netlink.Macvlan); !ok {
		return fmt.Errorf("netio: %s is not a macvlan, not deleting it", name)
	}
	if err := netlink.LinkDel(link); err != nil {
		return fmt.Errorf("netio: deleting vmac %s: %w", name, err)
	}
	return nil
}

func parentLinkLocal(parent netlink.Link) (netip.Addr, error) {
	addrs, err := netlink.AddrList(parent, netlink.FAMILY_V6)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("netio: addresses of %s: %w", parent.Attrs().Name, err)
	}
	for _, a := range addrs {
		if ip, ok := netip.AddrFromSlice(a.IP); ok && ip.Is6() && ip.IsLinkLocalUnicast() {
			return ip, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("netio: %s has no IPv6 link-local address for its vmac", parent.Attrs().Name)
}

// writeSysctl sets /proc/sys/net/<key with %s = interface>. The file is
// opened by the calling thread, so it is that thread's namespace's value.
// A dot in an interface name is a slash in the sysctl path ("vrrp.51" →
// "vrrp/51" in sysctl -a) but stays a dot in the /proc file name.
func writeSysctl(key, ifname, value string) error {
	p := filepath.Join("/proc/sys/net", fmt.Sprintf(key, ifname))
	if err := os.WriteFile(p, []byte(value+"\n"), 0o644); err != nil {
		return fmt.Errorf("netio: sysctl %s: %w", strings.TrimPrefix(p, "/proc/sys/"), err)
	}
	return nil
}

// ReadSysctl reads a /proc/sys/net value (key as for writeSysctl); for tests
// and dumps.
func ReadSysctl(key, ifname string) (string, error) {
	b, err := os.ReadFile(filepath.Join("/proc/sys/net", fmt.Sprintf(key, ifname)))
	return strings.TrimSpace(string(b)), err
}
