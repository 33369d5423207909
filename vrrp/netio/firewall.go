package netio

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"sync"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
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

// Firewall mirrors keepalived's nftables rules for VIPs that must not be
// answered (vrrp_strict / no_accept without accept):
//
//	table ip keepalived {
//		set vips { type ipv4_addr }
//		chain out { type filter hook output priority filter - 1; policy accept; ip saddr @vips drop }
//		chain in { type filter hook input priority filter - 1; policy accept; ip daddr @vips drop }
//	}
//
// and the same as `table ip6 keepalived` with ipv6_addr for IPv6 VIPs. A
// family's table is built on the first Add of an address of that family
// (keepalived builds it on the first MASTER), deleting a stale table of the
// same name first, all in one netlink batch. Close deletes the tables;
// they survive a crash, exactly like keepalived's.
//
// Not done: keepalived's IPv6 table also has vips_link_local and
// neighbor-discovery sets with in_link_local/out_link_local chains.
//
// Firewall is safe for concurrent use.
type Firewall struct {
	table    string
	priority int32

	mu   sync.Mutex
	conn *nftables.Conn
	fams map[nftables.TableFamily]*family
}

// family is one table's state.
type family struct {
	table *nftables.Table
	set   *nftables.Set
	addrs []netip.Addr // what the kernel's set holds, sorted
}

// NewFirewall opens an nftables netlink connection in the calling thread's
// namespace. Nothing is installed until Add.
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
	return f, nil
}

func familyOf(a netip.Addr) nftables.TableFamily {
	if a.Is4() {
		return nftables.TableFamilyIPv4
	}
	return nftables.TableFamilyIPv6
}

// Add puts addresses in their family's drop set, building the table first
// if needed, and returns the addresses that were not there yet.
func (f *Firewall) Add(addrs ...netip.Addr) (added []netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		var want []netip.Addr
		st := f.fams[fam]
		for _, a := range addrs {
			a = a.Unmap()
			if familyOf(a) != fam || slices.Contains(want, a) || (st != nil && slices.Contains(st.addrs, a)) {
				continue
			}
			want = append(want, a)
		}
		if len(want) == 0 {
			continue
		}
		if st == nil {
			err = f.build(fam, want)
		} else {
			if err = f.conn.SetAddElements(st.set, elements(want)); err == nil {
				err = f.conn.Flush()
			}
			if err == nil {
				st.addrs = append(st.addrs, want...)
				slices.SortFunc(st.addrs, netip.Addr.Compare)
			} else {
				// The table may have been removed behind our back
				// (`nft flush ruleset`): rebuild it with everything.
				err = f.build(fam, append(slices.Clone(st.addrs), want...))
			}
		}
		if err != nil {
			return added, err
		}
		added = append(added, want...)
	}
	return added, nil
}

// Del takes addresses out of the drop sets and returns those that were in.
// The tables stay, as keepalived's do, until Close.
func (f *Firewall) Del(addrs ...netip.Addr) (removed []netip.Addr, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for fam, st := range f.fams {
		var gone []netip.Addr
		for _, a := range addrs {
			a = a.Unmap()
			if familyOf(a) == fam && slices.Contains(st.addrs, a) && !slices.Contains(gone, a) {
				gone = append(gone, a)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if err = f.conn.SetDeleteElements(st.set, elements(gone)); err == nil {
			err = f.conn.Flush()
		}
		if err != nil {
			return removed, fmt.Errorf("netio: nftables: remove %v from %s %s vips: %w", gone, familyName(fam), f.table, err)
		}
		st.addrs = slices.DeleteFunc(st.addrs, func(a netip.Addr) bool { return slices.Contains(gone, a) })
		removed = append(removed, gone...)
	}
	return removed, nil
}

// Addrs lists the addresses in the drop sets.
func (f *Firewall) Addrs() []netip.Addr {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []netip.Addr
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		if st := f.fams[fam]; st != nil {
			out = append(out, st.addrs...)
		}
	}
	return out
}

// Close deletes the tables Add built and closes the connection.
func (f *Firewall) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var err error
	if len(f.fams) > 0 {
		for _, st := range f.fams {
			f.conn.DelTable(st.table)
		}
		if e := f.conn.Flush(); e != nil {
			err = fmt.Errorf("netio: nftables: delete %s tables: %w", f.table, e)
		}
		clear(f.fams)
	}
	return errors.Join(err, f.conn.CloseLasting())
}

// build (re)creates one family's table holding addrs, in one batch.
func (f *Firewall) build(fam nftables.TableFamily, addrs []netip.Addr) error {
	slices.SortFunc(addrs, netip.Addr.Compare)
	t := &nftables.Table{Name: f.table, Family: fam}
	// Adding before deleting makes the delete succeed whether or not a
	// stale table exists; the batch then builds a fresh one.
	f.conn.AddTable(t)
	f.conn.DelTable(t)
	f.conn.AddTable(t)
	keyType := nftables.TypeIPAddr
	if fam == nftables.TableFamilyIPv6 {
		keyType = nftables.TypeIP6Addr
	}
	set := &nftables.Set{Table: t, Name: "vips", KeyType: keyType}
	if err := f.conn.AddSet(set, elements(addrs)); err != nil {
		return fmt.Errorf("netio: nftables: set vips: %w", err)
	}
	accept := nftables.ChainPolicyAccept
	prio := nftables.ChainPriority(f.priority)
	// out before in: the order keepalived creates them, so `nft list`
	// prints them in the same order.
	for _, hook := range []struct {
		name string
		hook *nftables.ChainHook
		src  bool
	}{{"out", nftables.ChainHookOutput, true}, {"in", nftables.ChainHookInput, false}} {
		ch := f.conn.AddChain(&nftables.Chain{
			Name: hook.name, Table: t, Type: nftables.ChainTypeFilter,
			Hooknum: hook.hook, Priority: &prio, Policy: &accept,
		})
		off, n := addrOffset(fam, hook.src)
		f.conn.AddRule(&nftables.Rule{Table: t, Chain: ch, Exprs: []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n},
			&expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID},
			&expr.Verdict{Kind: expr.VerdictDrop},
		}})
	}
	if err := f.conn.Flush(); err != nil {
		return fmt.Errorf("netio: nftables: build table %s %s: %w", familyName(fam), f.table, err)
	}
	f.fams[fam] = &family{table: t, set: set, addrs: addrs}
	return nil
}

// addrOffset is where the source or destination address sits in the IPv4
// or IPv6 header, and its length.
func addrOffset(fam nftables.TableFamily, src bool) (offset, length uint32) {
	switch {
	case fam == nftables.TableFamilyIPv4 && src:
		return 12, 4
	case fam == nftables.TableFamilyIPv4:
		return 16, 4
	case src:
		return 8, 16
	default:
		return 24, 16
	}
}

func elements(addrs []netip.Addr) []nftables.SetElement {
	out := make([]nftables.SetElement, len(addrs))
	for i, a := range addrs {
		out[i] = nftables.SetElement{Key: a.AsSlice()}
	}
	return out
}

func familyName(fam nftables.TableFamily) string {
	if fam == nftables.TableFamilyIPv6 {
		return "ip6"
	}
	return "ip"
}

// Rules renders the installed tables as `nft list table` prints them
// (elements sorted), for logs, the data dump and tests. It is empty when
// no table is installed.
func (f *Firewall) Rules() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var b strings.Builder
	for _, fam := range []nftables.TableFamily{nftables.TableFamilyIPv4, nftables.TableFamilyIPv6} {
		st := f.fams[fam]
		if st == nil {
			continue
		}
		b.WriteString(RulesText(familyName(fam), f.table, f.priority, st.addrs))
	}
	return b.String()
}

// RulesText is the `nft list table` text of one keepalived table holding
// addrs. family is "ip" or "ip6".
func RulesText(family, table string, priority int32, addrs []netip.Addr) string {
	typ := "ipv4_addr"
	if family == "ip6" {
		typ = "ipv6_addr"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n\tset vips {\n\t\ttype %s\n", family, table, typ)
	if len(addrs) > 0 {
		s := make([]string, len(addrs))
		for i, a := range addrs {
			s[i] = a.String()
		}
		fmt.Fprintf(&b, "\t\telements = { %s }\n", strings.Join(s, ", "))
	}
	b.WriteString("\t}\n")
	for _, c := range []struct{ name, hook, dir string }{{"out", "output", "saddr"}, {"in", "input", "daddr"}} {
		fmt.Fprintf(&b, "\n\tchain %s {\n\t\ttype filter hook %s priority %s; policy accept;\n\t\t%s %s @vips drop\n\t}\n",
			c.name, c.hook, priorityText(priority), family, c.dir)
	}
	b.WriteString("}\n")
	return b.String()
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
