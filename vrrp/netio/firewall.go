package netio

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// DefaultTable is keepalived's nftables table name (global_defs `nftables`).
const DefaultTable = "keepalived"

// DefaultPriority is keepalived's nftables_priority: one before the
// standard filter chains, so its drops win over their accepts.
const DefaultPriority = -1

// FirewallConfig configures the no-accept firewall.
type FirewallConfig struct {
	// Table is the table name in each family; empty means "keepalived".
	Table string
	// Priority is the base chains' priority; nil means DefaultPriority.
	Priority *int32
	// ConnOptions are extra options for the nftables connection (tests
	// pass nftables.WithTestDial). AsLasting is always added.
	ConnOptions []nftables.ConnOption
}

// Firewall mirrors keepalived 2.2.7's nftables rules for VIPs that must not
// be answered (vrrp_strict / no_accept without accept). For IPv4:
//
//	table ip keepalived {
//		set vips { type ipv4_addr }
//		chain out { type filter hook output priority filter - 1; policy accept; ip saddr @vips drop }
//		chain in { type filter hook input priority filter - 1; policy accept; ip daddr @vips drop }
//	}
//
// For IPv6, `table ip6 keepalived` with the `vips` set, a constant
// `neighbor-discovery` set (NS and NA are always accepted, so the VIP can
// still be resolved), and link-local VIPs kept per interface in
// `vips_link_local` (ipv6_addr . iface_index), checked in the chains
// in_link_local / out_link_local that fe80::/10 traffic jumps to — the
// same table keepalived builds (captured in testdata/keepalived-ruleset6.txt).
//
// A family's table is built on the first Add of an address of that family
// (keepalived builds it on the first MASTER), deleting a stale table of the
// same name first, all in one netlink batch. Close deletes the tables;
// they survive a crash, exactly like keepalived's.
//
// Firewall is safe for concurrent use.
type Firewall struct {
	table    string
	priority int32

	mu   sync.Mutex
	conn *nftables.Conn
	nl   *netlink.Handle // resolves link-local zones; nil in unit tests
	// resolve turns a zone (interface name or index) into index and name.
	resolve func(zone string) (int, string, error)
	fams    map[nftables.TableFamily]*family
}

// family is one table's state.
type family struct {
	table  *nftables.Table
	vips   *nftables.Set
	vipsLL *nftables.Set // ip6 only
	elems  []fwElem      // what the kernel's sets hold, sorted
}

// fwElem is one address in a drop set: link-local IPv6 VIPs are only
// meaningful with their interface.
type fwElem struct {
	addr    netip.Addr // without zone
	ifindex int        // link-local IPv6 only
	ifname  string
}

func (e fwElem) linkLocal() bool { return e.ifindex != 0 }

// external is the address as callers see it: link-local ones zoned.
func (e fwElem) external() netip.Addr {
	if e.linkLocal() {
		return e.addr.WithZone(e.ifname)
	}
	return e.addr
}

func (e fwElem) setKey() []byte {
	k := e.addr.AsSlice()
	if e.linkLocal() {
		// iface_index is a host-order 32-bit word in nftables.
		k = binary.NativeEndian.AppendUint32(k, uint32(e.ifindex))
	}
	return k
}

func compareElems(a, b fwElem) int {
	if c := a.addr.Compare(b.addr); c != 0 {
		return c
	}
	return a.ifindex - b.ifindex
}

// NewFirewall opens an nftables netlink connection (and a route netlink
// socket for interface names) in the calling thread's namespace. Nothing
// is installed until Add.
func NewFirewall(cfg FirewallConfig) (*Firewall, error) {
	f := &Firewall{table: cfg.Table, priority: DefaultPriority, fams: map[nftables.TableFamily]*family{}}
	if f.table == "" {
		f.table = DefaultTable
	}
	if cfg.Priority != nil {
		f.priority = *cfg.Priority
	}
	opts := append(slices.Clip(cfg.ConnOptions), nftables.AsLasting())
	c, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("netio: nftables: %w", err)
	}
	f.conn = c
	if f.nl, err = netlink.NewHandle(unix.NETLINK_ROUTE); err != nil {
		c.CloseLasting()
		return nil, fmt.Errorf("netio: netlink: %w", err)
	}
	f.resolve = f.resolveZone
	return f, nil
}

// resolveZone maps an interface name or decimal index to both.
func (f *Firewall) resolveZone(zone string) (int, string, error) {
	var l netlink.Link
	var err error
	if i, aerr := strconv.Atoi(zone); aerr == nil {
		l, err = f.nl.LinkByIndex(i)
	} else {
		l, err = f.nl.LinkByName(zone)
	}
	if err != nil {
		return 0, "", fmt.Errorf("netio: interface %q: %w", zone, err)
	}
	return l.Attrs().Index, l.Attrs().Name, nil
}

// elem turns a caller's address into a set element.
func (f *Firewall) elem(a netip.Addr) (fwElem, error) {
	a = a.Unmap()
	if !a.Is6() || !a.IsLinkLocalUnicast() {
		return fwElem{addr: a.WithZone("")}, nil
	}
	if a.Zone() == "" {
		return fwElem{}, fmt.Errorf("netio: firewall: link-local %s needs its interface as zone (%s%%ens160)", a, a)
	}
	idx, name, err := f.resolve(a.Zone())
	if err != nil {
		return fwElem{}, fmt.Errorf("netio: firewall: %s: %w", a, err)
	}
	return fwElem{addr: a.WithZone(""), ifindex: idx, ifname: name}, nil
}

// elems converts addresses, leaving out (and reporting) the ones that
// cannot be set elements, so one bad address never blocks the others.
func (f *Firewall) elems(addrs []netip.Addr) ([]fwElem, error) {
	out := make([]fwElem, 0, len(addrs))
	var errs error
	for _, a := range addrs {
		e, err := f.elem(a)
		if err != nil {
			errs = errors.Join(errs, err)
			continue
		}
		out = append(out, e)
	}
	return out, errs
}

func familyOf(a netip.Addr) nftables.TableFamily {
	if a.Is4() {
		return nftables.TableFamilyIPv4
	}
	return nftables.TableFamilyIPv6
}

var families = []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6}

// Add puts addresses in their family's drop set, building the table first
// if needed, and returns the addresses that were not there yet. A
// link-local IPv6 address must carry its interface as zone (name or index:
// fe80::1%ens160); it goes to vips_link_local. An address without a usable
// zone is left out and reported in err, while the others are still added.
func (f *Firewall) Add(addrs ...netip.Addr) (added []netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	elems, badErr := f.elems(addrs)
	defer func() { err = errors.Join(err, badErr) }()
	for _, fam := range families {
		st := f.fams[fam]
		var want []fwElem
		for _, e := range elems {
			if familyOf(e.addr) != fam || slices.Contains(want, e) || (st != nil && slices.Contains(st.elems, e)) {
				continue
			}
			want = append(want, e)
		}
		if len(want) == 0 {
			continue
		}
		if st == nil {
			err = f.build(fam, want)
		} else {
			err = f.addElems(st, want)
			if err != nil {
				// The table may have been removed behind our back
				// (`nft flush ruleset`): rebuild it with everything.
				err = f.build(fam, append(slices.Clone(st.elems), want...))
			}
		}
		if err != nil {
			return added, err
		}
		for _, e := range want {
			added = append(added, e.external())
		}
	}
	return added, nil
}

func (f *Firewall) addElems(st *family, want []fwElem) error {
	plain, ll := splitElems(want)
	if len(plain) > 0 {
		if err := f.conn.SetAddElements(st.vips, plain); err != nil {
			return err
		}
	}
	if len(ll) > 0 {
		if err := f.conn.SetAddElements(st.vipsLL, ll); err != nil {
			return err
		}
	}
	if err := f.conn.Flush(); err != nil {
		return err
	}
	st.elems = append(st.elems, want...)
	slices.SortFunc(st.elems, compareElems)
	return nil
}

// splitElems separates vips elements from vips_link_local ones.
func splitElems(es []fwElem) (plain, ll []nftables.SetElement) {
	for _, e := range es {
		se := nftables.SetElement{Key: e.setKey()}
		if e.linkLocal() {
			ll = append(ll, se)
		} else {
			plain = append(plain, se)
		}
	}
	return plain, ll
}

// Del takes addresses out of the drop sets and returns those that were in.
// The tables stay, as keepalived's do, until Close.
func (f *Firewall) Del(addrs ...netip.Addr) (removed []netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	elems, badErr := f.elems(addrs)
	defer func() { err = errors.Join(err, badErr) }()
	for _, fam := range families {
		st := f.fams[fam]
		if st == nil {
			continue
		}
		var gone []fwElem
		for _, e := range elems {
			if slices.Contains(st.elems, e) && !slices.Contains(gone, e) {
				gone = append(gone, e)
			}
		}
		if len(gone) == 0 {
			continue
		}
		plain, ll := splitElems(gone)
		if len(plain) > 0 {
			err = f.conn.SetDeleteElements(st.vips, plain)
		}
		if err == nil && len(ll) > 0 {
			err = f.conn.SetDeleteElements(st.vipsLL, ll)
		}
		if err == nil {
			err = f.conn.Flush()
		}
		if err != nil {
			return removed, fmt.Errorf("netio: nftables: remove %d addresses from %s %s: %w", len(gone), familyName(fam), f.table, err)
		}
		st.elems = slices.DeleteFunc(st.elems, func(e fwElem) bool { return slices.Contains(gone, e) })
		for _, e := range gone {
			removed = append(removed, e.external())
		}
	}
	return removed, nil
}

// Addrs lists the addresses in the drop sets (link-local ones zoned).
func (f *Firewall) Addrs() []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []netip.Addr
	for _, fam := range families {
		if st := f.fams[fam]; st != nil {
			for _, e := range st.elems {
				out = append(out, e.external())
			}
		}
	}
	return out
}

// Close deletes the tables Add built and closes the connections.
func (f *Firewall) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var err error
	if len(f.fams) > 0 {
		for _, fam := range families {
			if st := f.fams[fam]; st != nil {
				f.conn.DelTable(st.table)
			}
		}
		if e := f.conn.Flush(); e != nil {
			err = fmt.Errorf("netio: nftables: delete %s tables: %w", f.table, e)
		}
		clear(f.fams)
	}
	if f.nl != nil {
		f.nl.Close()
		f.nl = nil
	}
	return errors.Join(err, f.conn.CloseLasting())
}

// Offsets of the addresses in the IPv4 and IPv6 headers.
const (
	ip4Src, ip4Dst = 12, 16
	ip6Src, ip6Dst = 8, 24
)

// ICMPv6 neighbour discovery types keepalived always lets through.
const (
	icmp6NeighborSolicit = 135
	icmp6NeighborAdvert  = 136
)

// build (re)creates one family's table holding elems, in one batch.
func (f *Firewall) build(fam nftables.TableFamily, elems []fwElem) error {
	slices.SortFunc(elems, compareElems)
	c := f.conn
	t := &nftables.Table{Name: f.table, Family: fam}
	// Adding before deleting makes the delete succeed whether or not a
	// stale table exists; the batch then builds a fresh one.
	c.AddTable(t)
	c.DelTable(t)
	c.AddTable(t)
	st := &family{table: t, elems: elems}
	plain, ll := splitElems(elems)
	keyType, addrLen, src, dst := nftables.TypeIPAddr, uint32(4), uint32(ip4Src), uint32(ip4Dst)
	if fam == nftables.TableFamilyIPv6 {
		keyType, addrLen, src, dst = nftables.TypeIP6Addr, 16, ip6Src, ip6Dst
	}
	st.vips = &nftables.Set{Table: t, Name: "vips", KeyType: keyType}
	if err := c.AddSet(st.vips, plain); err != nil {
		return fmt.Errorf("netio: nftables: set vips: %w", err)
	}
	var nd *nftables.Set
	if fam == nftables.TableFamilyIPv6 {
		nd = &nftables.Set{Table: t, Name: "neighbor-discovery", KeyType: nftables.TypeICMP6Type, Constant: true}
		if err := c.AddSet(nd, []nftables.SetElement{{Key: []byte{icmp6NeighborSolicit}}, {Key: []byte{icmp6NeighborAdvert}}}); err != nil {
			return fmt.Errorf("netio: nftables: set neighbor-discovery: %w", err)
		}
		st.vipsLL = &nftables.Set{Table: t, Name: "vips_link_local", Concatenation: true,
			KeyType: nftables.MustConcatSetType(nftables.TypeIP6Addr, nftables.TypeIFIndex)}
		if err := c.AddSet(st.vipsLL, ll); err != nil {
			return fmt.Errorf("netio: nftables: set vips_link_local: %w", err)
		}
	}

	accept := nftables.ChainPolicyAccept
	prio := nftables.ChainPriority(f.priority)
	// Creation order is listing order: out, in (and the link-local
	// chains after them), as keepalived creates them.
	out := c.AddChain(&nftables.Chain{Name: "out", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: &prio, Policy: &accept})
	in := c.AddChain(&nftables.Chain{Name: "in", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookInput, Priority: &prio, Policy: &accept})
	if fam == nftables.TableFamilyIPv6 {
		inLL := c.AddChain(&nftables.Chain{Name: "in_link_local", Table: t})
		outLL := c.AddChain(&nftables.Chain{Name: "out_link_local", Table: t})
		for _, ch := range []struct {
			base, ll *nftables.Chain
			off      uint32
			meta     expr.MetaKey
		}{{out, outLL, src, expr.MetaKeyOIF}, {in, inLL, dst, expr.MetaKeyIIF}} {
			// icmpv6 type @neighbor-discovery accept
			c.AddRule(&nftables.Rule{Table: t, Chain: ch.base, Exprs: []expr.Any{
				&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
				&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
				&expr.Lookup{SourceRegister: 1, SetName: nd.Name, SetID: nd.ID},
				&expr.Verdict{Kind: expr.VerdictAccept},
			}})
			// ip6 [sd]addr fe80::/10 goto [in|out]_link_local
			c.AddRule(&nftables.Rule{Table: t, Chain: ch.base, Exprs: []expr.Any{
				&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: ch.off, Len: 16},
				&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 16,
					Mask: netip.MustParseAddr("ffc0::").AsSlice(), Xor: make([]byte, 16)},
				&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: netip.MustParseAddr("fe80::").AsSlice()},
				&expr.Verdict{Kind: expr.VerdictGoto, Chain: ch.ll.Name},
			}})
			// ip6 [sd]addr . [io]if @vips_link_local drop: the address
			// fills register 1 (16 bytes), the interface index follows
			// in register 2, and the lookup reads the 20-byte key.
			c.AddRule(&nftables.Rule{Table: t, Chain: ch.ll, Exprs: []expr.Any{
				&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: ch.off, Len: 16},
				&expr.Meta{Key: ch.meta, Register: 2},
				&expr.Lookup{SourceRegister: 1, SetName: st.vipsLL.Name, SetID: st.vipsLL.ID},
				&expr.Verdict{Kind: expr.VerdictDrop},
			}})
		}
	}
	// ip [sd]addr @vips drop, last in each base chain.
	for _, ch := range []struct {
		c   *nftables.Chain
		off uint32
	}{{out, src}, {in, dst}} {
		c.AddRule(&nftables.Rule{Table: t, Chain: ch.c, Exprs: []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: ch.off, Len: addrLen},
			&expr.Lookup{SourceRegister: 1, SetName: st.vips.Name, SetID: st.vips.ID},
			&expr.Verdict{Kind: expr.VerdictDrop},
		}})
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("netio: nftables: build table %s %s: %w", familyName(fam), f.table, err)
	}
	f.fams[fam] = st
	return nil
}

func familyName(fam nftables.TableFamily) string {
	if fam == nftables.TableFamilyIPv6 {
		return "ip6"
	}
	return "ip"
}

// Rules renders the installed tables as `nft list table` prints them, for
// logs, the data dump and tests. It is empty when no table is installed.
func (f *Firewall) Rules() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, fam := range families {
		if st := f.fams[fam]; st != nil {
			b.WriteString(RulesText(familyName(fam), f.table, f.priority, zoned(st.elems)))
		}
	}
	return b.String()
}

func zoned(es []fwElem) []netip.Addr {
	out := make([]netip.Addr, len(es))
	for i, e := range es {
		out[i] = e.external()
	}
	return out
}

// RulesText is the `nft list table` text of one keepalived table holding
// addrs (sorted; link-local IPv6 ones zoned with their interface name).
// family is "ip" or "ip6".
func RulesText(family, table string, priority int32, addrs []netip.Addr) string {
	var plain, ll []string
	for _, a := range addrs {
		if a.Is6() && a.IsLinkLocalUnicast() {
			ll = append(ll, fmt.Sprintf("%s . %q", a.WithZone(""), a.Zone()))
		} else {
			plain = append(plain, a.String())
		}
	}
	v6 := family == "ip6"
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n", family, table)
	typ := "ipv4_addr"
	if v6 {
		typ = "ipv6_addr"
	}
	writeSet(&b, "vips", typ, "", plain, 8)
	if v6 {
		b.WriteString("\n")
		writeSet(&b, "neighbor-discovery", "icmpv6_type", "constant", []string{"nd-neighbor-solicit", "nd-neighbor-advert"}, 1)
		b.WriteString("\n")
		writeSet(&b, "vips_link_local", "ipv6_addr . iface_index", "", ll, 1)
	}
	for _, c := range []struct{ name, hook, dir, ll string }{{"out", "output", "saddr", "out_link_local"}, {"in", "input", "daddr", "in_link_local"}} {
		fmt.Fprintf(&b, "\n\tchain %s {\n\t\ttype filter hook %s priority %s; policy accept;\n", c.name, c.hook, priorityText(priority))
		if v6 {
			fmt.Fprintf(&b, "\t\ticmpv6 type @neighbor-discovery accept\n\t\tip6 %s fe80::/10 goto %s\n", c.dir, c.ll)
		}
		fmt.Fprintf(&b, "\t\t%s %s @vips drop\n\t}\n", family, c.dir)
	}
	if v6 {
		b.WriteString("\n\tchain in_link_local {\n\t\tip6 daddr . iif @vips_link_local drop\n\t}\n")
		b.WriteString("\n\tchain out_link_local {\n\t\tip6 saddr . oif @vips_link_local drop\n\t}\n")
	}
	b.WriteString("}\n")
	return b.String()
}

// writeSet prints a named set as nft does: elements separated by ", ",
// with a line break after every perLine of them (8 for addresses, every
// one for other types).
func writeSet(b *strings.Builder, name, typ, flags string, elems []string, perLine int) {
	fmt.Fprintf(b, "\tset %s {\n\t\ttype %s\n", name, typ)
	if flags != "" {
		fmt.Fprintf(b, "\t\tflags %s\n", flags)
	}
	if len(elems) > 0 {
		b.WriteString("\t\telements = { ")
		for i, e := range elems {
			if i > 0 {
				if i%perLine == 0 {
					b.WriteString(",\n\t\t\t     ")
				} else {
					b.WriteString(", ")
				}
			}
			b.WriteString(e)
		}
		b.WriteString(" }\n")
	}
	b.WriteString("\t}\n")
}

// priorityText writes a priority relative to "filter" (0) as nft does.
func priorityText(p int32) string {
	switch {
	case p == 0:
		return "filter"
	case p < 0:
		return fmt.Sprintf("filter - %d", -int64(p))
	default:
		return fmt.Sprintf("filter + %d", p)
	}
}
