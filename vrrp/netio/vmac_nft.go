package netio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/google/nftables"
	"github.com/google/nftables/binaryutil"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// VMACFilter mirrors the nftables rules keepalived 2.2.7 adds for its
// VMACs (nft --debug=netlink in a namespace). A VMAC joins the VRRP group,
// so the kernel would send IGMP / MLD reports from it with the virtual MAC
// even on the BACKUP, and a switch would learn the virtual MAC on the
// wrong port. keepalived duplicates those reports to the parent interface
// and drops them on the VMAC, and drops router solicitations from IPv6
// VMACs:
//
//	table ip keepalived {
//		map vmac_map { type iface_index : iface_index; elements = { "vrrp.51" : "ens160" } }
//		chain out {
//			type filter hook output priority filter - 1; policy accept;
//			ip protocol igmp meta oifkind "macvlan" dup to ip daddr device oif map @vmac_map drop
//		}
//	}
//	table ip6 keepalived {
//		map vmac_map { ... }
//		set vmac_set { type iface_index; elements = { "vrrp.61" } }
//		chain out {
//			type filter hook output priority filter - 1; policy accept;
//			icmpv6 type mld2-listener-report meta oifkind "macvlan" dup to ip6 daddr device oif map @vmac_map drop
//			icmpv6 type nd-router-solicit meta oifkind "macvlan" oif @vmac_set drop
//		}
//	}
//
// The tables are keepalived's no-accept tables too (Firewall). Firewall
// rebuilds its table when it first needs it, so the runner calls Sync
// after every Firewall change: Sync only adds what is missing. Rules are
// recognised by their user data. Close deletes the tables, as keepalived
// leaves none after a clean stop.
type VMACFilter struct {
	table    string
	priority int32

	mu    sync.Mutex
	conn  *nftables.Conn
	links map[int]vmacLink // by VMAC ifindex
	used  map[nftables.TableFamily]bool
}

type vmacLink struct {
	parent int
	ipv6   bool
}

// NewVMACFilter opens an nftables connection in the calling thread's
// namespace; nothing is installed before Add.
func NewVMACFilter(table string, priority int32, opts ...nftables.ConnOption) (*VMACFilter, error) {
	if table == "" {
		table = DefaultTable
	}
	c, err := nftables.New(append(opts, nftables.AsLasting())...)
	if err != nil {
		return nil, fmt.Errorf("netio: nftables: %w", err)
	}
	return &VMACFilter{table: table, priority: priority, conn: c, links: map[int]vmacLink{}, used: map[nftables.TableFamily]bool{}}, nil
}

// nftMetaOIFKind is NFT_META_OIFKIND (linux/netfilter/nf_tables.h), which
// golang.org/x/sys does not name.
const nftMetaOIFKind = 27

// Rule tags (user data) telling our rules apart from Firewall's.
var (
	tagIGMP = []byte("goha:vmac-igmp")
	tagMLD  = []byte("goha:vmac-mld")
	tagRS   = []byte("goha:vmac-rs")
)

// Add registers a VMAC and its parent and installs the rules.
func (f *VMACFilter) Add(vmacIndex, parentIndex int, ipv6 bool) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.links[vmacIndex] = vmacLink{parent: parentIndex, ipv6: ipv6}
	return f.sync()
}

// Remove forgets a VMAC: its map and set elements go, the rules stay.
func (f *VMACFilter) Remove(vmacIndex int) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	l, ok := f.links[vmacIndex]
	if !ok {
		return nil
	}
	delete(f.links, vmacIndex)
	fam := familyFor(l.ipv6)
	t := &nftables.Table{Name: f.table, Family: fam}
	key := ifindexBytes(vmacIndex)
	f.conn.SetDeleteElements(&nftables.Set{Table: t, Name: "vmac_map", IsMap: true, KeyType: nftables.TypeIFIndex, DataType: nftables.TypeIFIndex},
		[]nftables.SetElement{{Key: key}})
	if l.ipv6 {
		f.conn.SetDeleteElements(&nftables.Set{Table: t, Name: "vmac_set", KeyType: nftables.TypeIFIndex}, []nftables.SetElement{{Key: key}})
	}
	if err := f.conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) {
		return fmt.Errorf("netio: nftables vmac_map of table %s: %w", f.table, err)
	}
	return nil
}

// Sync re-installs whatever is missing (after Firewall rebuilt the table).
func (f *VMACFilter) Sync() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sync()
}

func familyFor(ipv6 bool) nftables.TableFamily {
	if ipv6 {
		return nftables.TableFamilyIPv6
	}
	return nftables.TableFamilyIPv4
}

func ifindexBytes(i int) []byte { return binary.NativeEndian.AppendUint32(nil, uint32(i)) }

func (f *VMACFilter) sync() error {
	for _, v6 := range []bool{false, true} {
		var mapElems, setElems []nftables.SetElement
		for idx, l := range f.links {
			if l.ipv6 == v6 {
				mapElems = append(mapElems, nftables.SetElement{Key: ifindexBytes(idx), Val: ifindexBytes(l.parent)})
				setElems = append(setElems, nftables.SetElement{Key: ifindexBytes(idx)})
			}
		}
		if len(mapElems) == 0 {
			continue
		}
		if err := f.syncFamily(v6, mapElems, setElems); err != nil {
			return err
		}
	}
	return nil
}

func (f *VMACFilter) syncFamily(v6 bool, mapElems, setElems []nftables.SetElement) error {
	fam := familyFor(v6)
	f.used[fam] = true
	c := f.conn
	t := c.AddTable(&nftables.Table{Name: f.table, Family: fam})
	// iface_index is host order: the byte order hint lets nft print names.
	vmap := &nftables.Set{Table: t, Name: "vmac_map", IsMap: true, KeyType: nftables.TypeIFIndex, DataType: nftables.TypeIFIndex,
		KeyByteOrder: binaryutil.NativeEndian}
	if err := c.AddSet(vmap, mapElems); err != nil {
		return fmt.Errorf("netio: nftables vmac_map: %w", err)
	}
	var vset *nftables.Set
	if v6 {
		vset = &nftables.Set{Table: t, Name: "vmac_set", KeyType: nftables.TypeIFIndex, KeyByteOrder: binaryutil.NativeEndian}
		if err := c.AddSet(vset, setElems); err != nil {
			return fmt.Errorf("netio: nftables vmac_set: %w", err)
		}
	}
	policy := nftables.ChainPolicyAccept
	prio := nftables.ChainPriority(f.priority)
	out := c.AddChain(&nftables.Chain{Name: "out", Table: t, Type: nftables.ChainTypeFilter,
		Hooknum: nftables.ChainHookOutput, Priority: &prio, Policy: &policy})
	if err := c.Flush(); err != nil {
		return fmt.Errorf("netio: nftables table %s %s: %w", familyName(fam), f.table, err)
	}
	have, err := c.GetRules(t, out)
	if err != nil {
		return fmt.Errorf("netio: nftables rules of %s %s out: %w", familyName(fam), f.table, err)
	}
	present := func(tag []byte) bool {
		for _, r := range have {
			if bytes.Equal(r.UserData, tag) {
				return true
			}
		}
		return false
	}
	macvlan := make([]byte, 16) // IFNAMSIZ, zero padded
	copy(macvlan, "macvlan")
	isMacvlan := []expr.Any{
		&expr.Meta{Key: nftMetaOIFKind, Register: 2},
		&expr.Cmp{Op: expr.CmpOpEq, Register: 2, Data: macvlan},
	}
	dupToParent := []expr.Any{
		&expr.Meta{Key: expr.MetaKeyOIF, Register: 2},
		&expr.Lookup{SourceRegister: 2, DestRegister: 2, IsDestRegSet: true, SetName: "vmac_map"},
		&expr.Dup{RegAddr: 1, RegDev: 2, IsRegDevSet: true},
		&expr.Verdict{Kind: expr.VerdictDrop},
	}
	cat := func(parts ...[]expr.Any) []expr.Any {
		var out []expr.Any
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	icmp6Type := func(typ byte) []expr.Any {
		return []expr.Any{
			&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_ICMPV6}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 0, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{typ}},
		}
	}
	if !v6 && !present(tagIGMP) {
		c.AddRule(&nftables.Rule{Table: t, Chain: out, UserData: tagIGMP, Exprs: cat([]expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 9, Len: 1},
			&expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: []byte{unix.IPPROTO_IGMP}},
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4},
		}, isMacvlan, dupToParent)})
	}
	if v6 && !present(tagMLD) {
		c.AddRule(&nftables.Rule{Table: t, Chain: out, UserData: tagMLD, Exprs: cat(icmp6Type(143), []expr.Any{
			&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 24, Len: 16},
		}, isMacvlan, dupToParent)})
	}
	if v6 && !present(tagRS) {
		c.AddRule(&nftables.Rule{Table: t, Chain: out, UserData: tagRS, Exprs: cat(icmp6Type(133), isMacvlan, []expr.Any{
			&expr.Meta{Key: expr.MetaKeyOIF, Register: 2},
			&expr.Lookup{SourceRegister: 2, SetName: vset.Name},
			&expr.Verdict{Kind: expr.VerdictDrop},
		})})
	}
	if err := c.Flush(); err != nil {
		return fmt.Errorf("netio: nftables vmac rules in %s %s: %w", familyName(fam), f.table, err)
	}
	return nil
}

// Close deletes the tables the filter used (keepalived leaves none after
// a clean stop) and the connection.
func (f *VMACFilter) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	var first error
	for fam := range f.used {
		f.conn.DelTable(&nftables.Table{Name: f.table, Family: fam})
		if err := f.conn.Flush(); err != nil && !errors.Is(err, unix.ENOENT) && first == nil {
			first = fmt.Errorf("netio: deleting table %s %s: %w", familyName(fam), f.table, err)
		}
	}
	f.used = map[nftables.TableFamily]bool{}
	f.links = map[int]vmacLink{}
	return first
}
