package daemon

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/vrrp/netio"
)

// CreateVMAC creates the macvlan with netio (sysctls, up, IPv6 link-local)
// and adds it to the VMAC nftables rules.
func (e *LinuxEdge) CreateVMAC(v VMACSpec) error {
	idx, err := netio.CreateVMAC(netio.VMAC{Name: v.Name, Parent: v.Parent, VRID: v.VRID, IPv6: v.IPv6})
	if err != nil {
		return err
	}
	parent, err := net.InterfaceByName(v.Parent)
	if err == nil {
		e.hn.Lock()
		defer e.hn.Unlock()
		if e.vmacRules == nil {
			e.vmacRules, err = netio.NewVMACFilter(v.Table, int32(v.Priority))
		}
		if err == nil {
			err = e.vmacRules.Add(idx, parent.Index, v.IPv6)
		}
	}
	if err != nil {
		netio.DeleteVMAC(v.Name)
		return fmt.Errorf("VMAC nftables rules: %w", err)
	}
	return nil
}

// DeleteVMAC takes the macvlan out of the nftables rules and removes it.
func (e *LinuxEdge) DeleteVMAC(name string) error {
	e.hn.Lock()
	if ifi, err := net.InterfaceByName(name); err == nil && e.vmacRules != nil {
		e.vmacRules.Remove(ifi.Index)
	}
	e.hn.Unlock()
	return netio.DeleteVMAC(name)
}

// SyncVMACRules re-installs missing VMAC rules.
func (e *LinuxEdge) SyncVMACRules() error {
	e.hn.Lock()
	defer e.hn.Unlock()
	if e.vmacRules == nil {
		return nil
	}
	return e.vmacRules.Sync()
}

// CloseVMACRules deletes the VMAC rules' tables.
func (e *LinuxEdge) CloseVMACRules() error {
	e.hn.Lock()
	defer e.hn.Unlock()
	if e.vmacRules == nil {
		return nil
	}
	err := e.vmacRules.Close()
	e.vmacRules = nil
	return err
}

// AddRoute installs a route; one already there is fine.
func (e *LinuxEdge) AddRoute(r Route) error {
	nr, err := nlRoute(r)
	if err == nil {
		err = netlink.RouteAdd(nr)
	}
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	return err
}

// DelRoute removes a route; one already gone is fine.
func (e *LinuxEdge) DelRoute(r Route) error {
	nr, err := nlRoute(r)
	if err != nil {
		var nf netlink.LinkNotFoundError
		if errors.As(err, &nf) {
			return nil // its interface is gone, and the route with it
		}
		return err
	}
	err = netlink.RouteDel(nr)
	if errors.Is(err, unix.ESRCH) || errors.Is(err, unix.ENOENT) {
		return nil
	}
	return err
}

// AddRule installs a rule; one already there is fine.
func (e *LinuxEdge) AddRule(r Rule) error {
	err := netlink.RuleAdd(nlRule(r))
	if errors.Is(err, unix.EEXIST) {
		return nil
	}
	return err
}

// DelRule removes a rule; one already gone is fine.
func (e *LinuxEdge) DelRule(r Rule) error {
	err := netlink.RuleDel(nlRule(r))
	if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ESRCH) {
		return nil
	}
	return err
}

func ipNet(p netip.Prefix) *net.IPNet {
	return &net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}
}

func nlRoute(r Route) (*netlink.Route, error) {
	fam := netlink.FAMILY_V4
	if r.Dst.Addr().Is6() {
		fam = netlink.FAMILY_V6
	}
	nr := &netlink.Route{
		Family: fam, Dst: ipNet(r.Dst), Table: r.Table, Priority: r.Metric,
		Scope: netlink.Scope(r.Scope), Type: int(r.Type), Protocol: netlink.RouteProtocol(r.Protocol),
		MTU: r.MTU, AdvMSS: r.AdvMSS, InitCwnd: r.InitCwnd, InitRwnd: r.InitRwnd, Tos: r.TOS,
	}
	if r.Table == 0 {
		nr.Table = tableMain
	}
	if r.Via.IsValid() {
		nr.Gw = r.Via.AsSlice()
	}
	if r.Src.IsValid() {
		nr.Src = r.Src.AsSlice()
	}
	if r.OnLink {
		nr.Flags |= int(netlink.FLAG_ONLINK)
	}
	if r.Dev != "" {
		l, err := netlink.LinkByName(r.Dev)
		if err != nil {
			return nil, fmt.Errorf("route dev %s: %w", r.Dev, err)
		}
		nr.LinkIndex = l.Attrs().Index
	}
	return nr, nil
}

func nlRule(r Rule) *netlink.Rule {
	nr := netlink.NewRule()
	nr.Family = netlink.FAMILY_V4
	if r.IPv6 {
		nr.Family = netlink.FAMILY_V6
	}
	nr.Priority = r.Priority
	nr.Table = r.Table
	if r.Table == 0 && r.Type == 0 {
		nr.Table = tableMain // ip rule's default action: lookup main
	}
	if r.From.IsValid() {
		nr.Src = ipNet(r.From)
	}
	if r.To.IsValid() {
		nr.Dst = ipNet(r.To)
	}
	nr.Tos = uint(r.TOS)
	nr.Mark = r.Mark
	nr.Mask = r.Mask
	nr.IifName, nr.OifName = r.Iif, r.Oif
	nr.Goto = r.Goto
	nr.SuppressPrefixlen = r.SuppressPrefixlen
	nr.SuppressIfgroup = r.SuppressIfgroup
	if r.UIDRange != nil {
		nr.UIDRange = netlink.NewRuleUIDRange(r.UIDRange[0], r.UIDRange[1])
	}
	if r.Sport != nil {
		nr.Sport = netlink.NewRulePortRange(r.Sport[0], r.Sport[1])
	}
	if r.Dport != nil {
		nr.Dport = netlink.NewRulePortRange(r.Dport[0], r.Dport[1])
	}
	nr.IPProto = r.IPProto
	nr.Invert = r.Invert
	nr.Type = r.Type
	nr.Protocol = r.Protocol
	return nr
}

// PromoteSecondaries implements HostNet with /proc/sys (the namespace of
// the calling thread, the daemon's).
func (e *LinuxEdge) PromoteSecondaries(ifname string, on bool) (bool, error) {
	p := "/proc/sys/net/ipv4/conf/" + ifname + "/promote_secondaries"
	old, err := os.ReadFile(p)
	if err != nil {
		return false, err
	}
	v := "0\n"
	if on {
		v = "1\n"
	}
	return strings.TrimSpace(string(old)) == "1", os.WriteFile(p, []byte(v), 0o644)
}
