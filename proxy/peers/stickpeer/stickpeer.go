// Package stickpeer lets a peers session replicate a proxy/stick table: it
// implements peers.Table over *stick.Table, whose peers view (UpdateID,
// Updates, Apply) maps onto it one to one, with the stick tables' clock.
//
// A full resync teaches every live entry, those learned from a peer (which
// proxy/stick keeps without an update id) included, with their values as
// the table holds them now.
package stickpeer

import (
	"github.com/goha-lb/goha/proxy/peers"
	"github.com/goha-lb/goha/proxy/stick"
)

// Table is a stick table as a peers session sees it.
type Table struct {
	t   *stick.Table
	def peers.TableDef
	now func() uint32 // the stick tables' millisecond tick
}

// New adapts t, announced under wireName (a proxy's table: the proxy's
// name; a peers section's "table x": "/x"). typ and keyLen are the
// configured key type and `len` (0: not given), which fix the announced
// key (peers.KeyOf). ok is false for a key type the peers protocol cannot
// announce. server_key goes as the session's dictionary cache sends it.
func New(t *stick.Table, wireName, typ string, keyLen int, now func() uint32) (*Table, bool) {
	kt, kl, ok := peers.KeyOf(typ, keyLen)
	if !ok {
		return nil, false
	}
	cfg := t.Config()
	def := peers.TableDef{Name: wireName, KeyType: kt, KeyLen: kl, Expire: uint64(cfg.Expire)}
	for d := stick.DataType(0); d < stick.NumDataTypes; d++ {
		n, stored := t.Stores(d)
		if !stored {
			continue
		}
		pd := peers.DataType(d)
		def.Types |= 1 << pd
		if d.IsArray() {
			def.NbElem[pd] = uint64(n)
		}
		if d.IsRate() {
			def.Period[pd] = uint64(t.Period(d))
		}
	}
	return &Table{t: t, def: def, now: now}, true
}

// Def implements peers.Table.
func (a *Table) Def() peers.TableDef { return a.def }

// LastUpdate implements peers.Table.
func (a *Table) LastUpdate() uint32 { return a.t.UpdateID() }

// UpdatesAfter implements peers.Table.
func (a *Table) UpdatesAfter(after uint32, max int) []peers.Entry {
	if max <= 0 {
		return nil
	}
	snaps := a.t.Updates(after, max, a.now())
	out := make([]peers.Entry, 0, len(snaps))
	for _, s := range snaps {
		out = append(out, a.entry(s))
	}
	return out
}

// snapshotFrom are the ids Snapshot lists the entries after: stick's
// Updates takes the ids within 2^31-1 after its argument, so three windows
// cover all 2^32 ids, 0 (an entry only learned from a peer) included.
var snapshotFrom = [3]uint32{0xfffffffe, 0x7ffffffd, 0xfffffffc}

// Snapshot implements peers.Table: every live entry, once.
func (a *Table) Snapshot() []peers.Entry {
	now := a.now()
	seen := map[string]bool{}
	var out []peers.Entry
	for _, after := range snapshotFrom {
		for _, s := range a.t.Updates(after, 0, now) {
			if !seen[string(s.Key)] {
				seen[string(s.Key)] = true
				out = append(out, a.entry(s))
			}
		}
	}
	return out
}

// Apply implements peers.Table: conn_cur is not learned, nor a server_key
// sent as "no entry" (the entry keeps its own).
func (a *Table) Apply(e peers.Entry) {
	s := stick.Snapshot{Key: e.Key, Expire: e.Expire}
	for _, v := range e.Values {
		d := stick.DataType(v.Type)
		if d >= stick.NumDataTypes || d == stick.ConnCur {
			continue
		}
		if d == stick.ServerKey {
			if v.Dict.Present && v.Dict.HasValue {
				s.Values = append(s.Values, stick.Value{Type: d, S: string(v.Dict.Value)})
			}
			continue
		}
		for i, n := range v.Num {
			s.Values = append(s.Values, stick.Value{Type: d, Index: i, U: n})
		}
		for i, f := range v.Freq {
			s.Values = append(s.Values, stick.Value{Type: d, Index: i, Age: f.Age, Curr: f.Curr, Prev: f.Prev})
		}
	}
	a.t.Apply(s, a.now())
}

// entry converts a stick snapshot: its flat values grouped per type
// (conn_cur included, as HAProxy sends it; a receiver ignores it).
func (a *Table) entry(s stick.Snapshot) peers.Entry {
	e := peers.Entry{Key: s.Key, Update: s.Update, Expire: s.Expire}
	for _, v := range s.Values {
		pd := peers.DataType(v.Type)
		if len(e.Values) == 0 || e.Values[len(e.Values)-1].Type != pd {
			e.Values = append(e.Values, peers.Value{Type: pd})
		}
		pv := &e.Values[len(e.Values)-1]
		if v.Type == stick.ServerKey {
			if v.S != "" {
				pv.Dict = peers.DictRef{Present: true, HasValue: true, Value: []byte(v.S)}
			}
			continue
		}
		if v.Type.IsRate() {
			pv.Freq = append(pv.Freq, peers.FreqCtr{Age: v.Age, Curr: v.Curr, Prev: v.Prev})
		} else {
			pv.Num = append(pv.Num, v.U)
		}
	}
	return e
}
