package peers

import (
	"bytes"
	"sort"
	"sync"
	"time"
)

// Entry is a stick-table entry as a session reads it from a local table or
// hands it one learned from a peer. Times are relative to the moment of the
// call, so the interface needs no shared clock: Expire is the remaining
// lifetime in ms and each FreqCtr's Age the ms since its period began.
type Entry struct {
	Key    []byte
	Update uint32 // local update id of the entry's last local change (0: none)
	Expire uint32
	// Values: read from a table, one per data type it stores, ascending;
	// given to Apply, only the types learned (a type not listed keeps its
	// value, zero for a new entry). conn_cur is never given to Apply.
	Values []Value
}

// Table is what a peer session needs of a local stick table.
type Table interface {
	// Def describes the table (its ID is ignored: the session numbers
	// tables in the order it is given them).
	Def() TableDef
	// LastUpdate is the id of the latest local change, 0 if none; ids grow
	// by one per local change and wrap at 2^32, as HAProxy's do (the wire
	// carries them in 32 bits).
	LastUpdate() uint32
	// UpdatesAfter returns at most max entries whose last local change has
	// an id after `after` (wrap-aware), oldest first. Entries only learned
	// from peers (Update 0) are never listed.
	UpdatesAfter(after uint32, max int) []Entry
	// Snapshot returns every live entry (a full resync teaches them all).
	Snapshot() []Entry
	// Apply stores an entry learned from a peer. It is not a local change:
	// it must not move LastUpdate (HAProxy does not echo learned entries).
	Apply(e Entry)
}

// MemTable is an in-memory Table for tests and for wiring a peers section
// before the real stick tables exist. It keeps every entry (no size limit)
// and drops expired ones when read.
type MemTable struct {
	mu      sync.Mutex
	def     TableDef
	now     func() time.Time
	last    uint32
	entries map[string]*memEntry
}

type memEntry struct {
	e        Entry // Values' ages are relative to at
	at       time.Time
	expireAt time.Time
}

// NewMemTable returns an empty table described by def, reading time from
// now (time.Now when nil).
func NewMemTable(def TableDef, now func() time.Time) *MemTable {
	if now == nil {
		now = time.Now
	}
	return &MemTable{def: def, now: now, entries: map[string]*memEntry{}}
}

// Def implements Table.
func (m *MemTable) Def() TableDef { return m.def }

// LastUpdate implements Table.
func (m *MemTable) LastUpdate() uint32 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.last
}

// Set stores an entry as a local change (a request tracked it): it gets the
// next update id and will be pushed to the peers. Expire 0 means the
// table's expire.
func (m *MemTable) Set(key []byte, expire uint32, values []Value) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last++
	if expire == 0 {
		expire = uint32(m.def.Expire)
	}
	now := m.now()
	m.entries[string(key)] = &memEntry{
		e:        Entry{Key: append([]byte(nil), key...), Update: m.last, Expire: expire, Values: cloneValues(values)},
		at:       now,
		expireAt: now.Add(time.Duration(expire) * time.Millisecond),
	}
}

// Apply implements Table.
func (m *MemTable) Apply(e Entry) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	me, ok := m.entries[string(e.Key)]
	if !ok || !now.Before(me.expireAt) {
		me = &memEntry{e: Entry{Key: append([]byte(nil), e.Key...)}}
		m.entries[string(e.Key)] = me
	} else {
		me.e.Values = m.aged(me, now)
	}
	for _, v := range e.Values {
		me.e.Values = setValue(me.e.Values, v)
	}
	me.at = now
	me.e.Expire = e.Expire
	me.expireAt = now.Add(time.Duration(e.Expire) * time.Millisecond)
}

// Get returns the live entry for key with times relative to now.
func (m *MemTable) Get(key []byte) (Entry, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	me, ok := m.entries[string(key)]
	if !ok {
		return Entry{}, false
	}
	return m.read(me, m.now())
}

// Len returns the number of entries, expired ones included.
func (m *MemTable) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

// UpdatesAfter implements Table.
func (m *MemTable) UpdatesAfter(after uint32, max int) []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	var out []Entry
	for _, me := range m.entries {
		if me.e.Update != 0 && int32(me.e.Update-after) > 0 {
			if e, ok := m.read(me, now); ok {
				out = append(out, e)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return int32(out[i].Update-out[j].Update) < 0 })
	if len(out) > max {
		out = out[:max]
	}
	return out
}

// Snapshot implements Table.
func (m *MemTable) Snapshot() []Entry {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	out := make([]Entry, 0, len(m.entries))
	for _, me := range m.entries {
		if e, ok := m.read(me, now); ok {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out
}

// read returns a copy of me as seen at now; an expired entry is dropped.
func (m *MemTable) read(me *memEntry, now time.Time) (Entry, bool) {
	if !now.Before(me.expireAt) {
		delete(m.entries, string(me.e.Key))
		return Entry{}, false
	}
	e := me.e
	e.Key = append([]byte(nil), e.Key...)
	e.Expire = uint32(me.expireAt.Sub(now) / time.Millisecond)
	e.Values = m.aged(me, now)
	return e, true
}

// aged copies me's values with the rate counters' ages moved to now.
func (m *MemTable) aged(me *memEntry, now time.Time) []Value {
	vs := cloneValues(me.e.Values)
	d := uint32(now.Sub(me.at) / time.Millisecond)
	for i := range vs {
		for j := range vs[i].Freq {
			vs[i].Freq[j].Age += d
		}
	}
	return vs
}

func setValue(vs []Value, v Value) []Value {
	v = cloneValues([]Value{v})[0]
	for i := range vs {
		if vs[i].Type == v.Type {
			vs[i] = v
			return vs
		}
	}
	vs = append(vs, v)
	sort.Slice(vs, func(i, j int) bool { return vs[i].Type < vs[j].Type })
	return vs
}

func cloneValues(vs []Value) []Value {
	out := make([]Value, len(vs))
	for i, v := range vs {
		out[i] = Value{Type: v.Type, Num: append([]uint64(nil), v.Num...), Freq: append([]FreqCtr(nil), v.Freq...), Dict: v.Dict}
		out[i].Dict.Value = append([]byte(nil), v.Dict.Value...)
	}
	return out
}

// ValueOf returns the value of type d in e, if any.
func (e *Entry) ValueOf(d DataType) (Value, bool) {
	for _, v := range e.Values {
		if v.Type == d {
			return v, true
		}
	}
	return Value{}, false
}
