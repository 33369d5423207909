// Package stickpeer lets a peers session replicate a proxy/stick table: it
// implements peers.Table over *stick.Table, whose peers view (UpdateID,
// Updates, Apply) maps onto it one to one, with the stick tables' clock.
//
// A full resync teaches every live entry. The stick table lists only the
// entries changed locally, so the adapter keeps the last state learned from
// a peer of each entry not changed here since, aged when taught: an entry a
// peer gave us reaches a peer that restarts and asks for the lesson, as in
// HAProxy. Those copies are dropped once their entry left the table.
package stickpeer

import (
	"sync"

	"github.com/goha-lb/goha/proxy/peers"
	"github.com/goha-lb/goha/proxy/stick"
)

// Table is a stick table as a peers session sees it.
type Table struct {
	t   *stick.Table
	def peers.TableDef
	now func() uint32 // the stick tables' millisecond tick

	mu      sync.Mutex
	learned map[string]learnedEntry
}

type learnedEntry struct {
	e  peers.Entry
	at uint32 // tick at which e's relative times were true
}

// New adapts t, announced under wireName (a proxy's table: the proxy's
// name; a peers section's "table x": "/x"). typ and keyLen are the
// configured key type and `len` (0: not given), which fix the announced
// key (peers.KeyOf). ok is false for a table HAProxy's peers cannot carry
// here (server_key: its dictionary is not kept by proxy/stick).
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
		if d == stick.ServerKey {
			return nil, false
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
	return &Table{t: t, def: def, now: now, learned: map[string]learnedEntry{}}, true
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

// Snapshot implements peers.Table: the entries changed here, then the
// learned ones not changed since.
func (a *Table) Snapshot() []peers.Entry {
	now := a.now()
	last := a.t.UpdateID()
	// Every local update id is within 2^31 before the last one.
	snaps := a.t.Updates(last-(1<<31)+1, 0, now)
	out := make([]peers.Entry, 0, len(snaps))
	local := make(map[string]bool, len(snaps))
	for _, s := range snaps {
		local[string(s.Key)] = true
		out = append(out, a.entry(s))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	for k, le := range a.learned {
		if local[k] || !a.t.Has([]byte(k)) {
			delete(a.learned, k)
			continue
		}
		if e, ok := aged(le, now); ok {
			out = append(out, e)
		} else {
			delete(a.learned, k)
		}
	}
	return out
}

// Apply implements peers.Table.
func (a *Table) Apply(e peers.Entry) {
	now := a.now()
	s := stick.Snapshot{Key: e.Key, Expire: e.Expire}
	for _, v := range e.Values {
		d := stick.DataType(v.Type)
		if d >= stick.NumDataTypes || d == stick.ServerKey || d == stick.ConnCur {
			continue
		}
		for i, n := range v.Num {
			s.Values = append(s.Values, stick.Value{Type: d, Index: i, U: n})
		}
		for i, f := range v.Freq {
			s.Values = append(s.Values, stick.Value{Type: d, Index: i, Age: f.Age, Curr: f.Curr, Prev: f.Prev})
		}
	}
	if !a.t.Apply(s, now) {
		return
	}
	a.remember(e, now)
}

// remember keeps e as learned at now, merged with what was learned before
// (a peer sends only the types it stores).
func (a *Table) remember(e peers.Entry, now uint32) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := string(e.Key)
	prev, had := a.learned[k]
	if had {
		if p, ok := aged(prev, now); ok {
			e.Values = merge(p.Values, e.Values)
		}
	}
	e.Key = append([]byte(nil), e.Key...)
	e.Update = 0
	if e.Expire == 0 {
		e.Expire = uint32(a.def.Expire)
	}
	a.learned[k] = learnedEntry{e: e, at: now}
	if len(a.learned) > 2*a.t.Config().Size {
		for k := range a.learned {
			if !a.t.Has([]byte(k)) {
				delete(a.learned, k)
			}
		}
	}
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
		if v.Type.IsRate() {
			pv.Freq = append(pv.Freq, peers.FreqCtr{Age: v.Age, Curr: v.Curr, Prev: v.Prev})
		} else {
			pv.Num = append(pv.Num, v.U)
		}
	}
	return e
}

// aged returns le's entry with its times moved to now; false once expired.
func aged(le learnedEntry, now uint32) (peers.Entry, bool) {
	d := now - le.at
	e := le.e
	if e.Expire != 0 {
		if d >= e.Expire {
			return e, false
		}
		e.Expire -= d
	}
	vs := make([]peers.Value, len(e.Values))
	for i, v := range e.Values {
		vs[i] = peers.Value{Type: v.Type, Num: append([]uint64(nil), v.Num...), Dict: v.Dict}
		for _, f := range v.Freq {
			f.Age += d
			vs[i].Freq = append(vs[i].Freq, f)
		}
	}
	e.Values = vs
	return e, true
}

// merge returns old with the types of upd replaced, in type order.
func merge(old, upd []peers.Value) []peers.Value {
	out := append([]peers.Value(nil), old...)
	for _, v := range upd {
		replaced := false
		for i := range out {
			if out[i].Type == v.Type {
				out[i], replaced = v, true
			}
		}
		if !replaced {
			out = append(out, v)
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Type < out[j-1].Type; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}
