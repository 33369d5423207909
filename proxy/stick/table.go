package stick

import (
	"fmt"
	"sync"
)

// Table is one stick table. Its methods are safe for concurrent use: one
// mutex guards it, as the tracking paths hold it for a few words' update.
//
// Entries live in a slab (ents, data) indexed by a uint32; the index maps
// key bytes to it. The entries a purge may remove are on a list ordered by
// expiry date, oldest first: a touch sets the date to now+expire and moves
// the entry to the tail, so the head is both the next to expire and the
// least recently touched one, the entry HAProxy evicts first. A tracked
// entry (ref > 0) met by a purge leaves the list; its release puts it back.
type Table struct {
	mu     sync.Mutex
	cfg    Config
	off    [NumDataTypes]int32 // word offset of a type's first element; -1 not stored
	period [NumDataTypes]uint32
	count  [NumDataTypes]int
	stride int

	index index
	ents  []entry  // ents[0] is the head of the expiry list
	data  []uint32 // stride words per entry, entry i at i*stride
	free  []uint32
	used  int
	upd   uint32 // local update counter (peers)
}

type entry struct {
	prev, next uint32
	expire     uint32 // tick; 0: none
	ref        int32
	upd        uint32
	listed     bool
	inUse      bool
}

// Ref is a held entry: it stays in the table until released.
type Ref struct {
	t *Table
	i uint32
}

// New builds an empty table for c; stores are checked as HAProxy's parser
// checks them (one of each type, a period for rates, arrays 1..100).
func New(c Config) (*Table, error) {
	if c.Size <= 0 {
		return nil, fmt.Errorf("stick-table: size must be positive")
	}
	t := &Table{cfg: c, ents: make([]entry, 1, 16)}
	switch c.Key {
	case KeyIP, KeyInteger:
		t.index = newIndex(4, false)
	case KeyIPv6:
		t.index = newIndex(16, false)
	case KeyString:
		t.index = newIndex(c.keyLen(), true)
	default:
		t.index = newIndex(c.keyLen(), false)
	}
	for i := range t.off {
		t.off[i] = -1
	}
	for _, s := range c.Stores {
		if s.Type >= NumDataTypes {
			return nil, fmt.Errorf("unknown data type %d", s.Type)
		}
		if t.off[s.Type] >= 0 {
			return nil, fmt.Errorf("data type '%s' stored twice", s.Type)
		}
		n := max(s.Count, 1)
		if !types[s.Type].array {
			n = 1
		} else if n > MaxArray {
			return nil, fmt.Errorf("array of '%s' too large", s.Type)
		}
		if types[s.Type].period && s.Period == 0 {
			return nil, fmt.Errorf("data type '%s' needs a period", s.Type)
		}
		t.off[s.Type] = int32(t.stride)
		t.period[s.Type] = s.Period
		t.count[s.Type] = n
		t.stride += n * types[s.Type].kind.words()
	}
	t.data = make([]uint32, t.stride) // the words of ents[0], never used
	return t, nil
}

// Config is the table's configuration.
func (t *Table) Config() *Config { return &t.cfg }

// Name is the table's name.
func (t *Table) Name() string { return t.cfg.Name }

// Stores says whether the table stores type d, and how many elements.
func (t *Table) Stores(d DataType) (int, bool) {
	if d >= NumDataTypes || t.off[d] < 0 {
		return 0, false
	}
	return t.count[d], true
}

// Period is the period in ms of a stored rate type.
func (t *Table) Period(d DataType) uint32 { return t.period[d] }

// Used is the number of entries.
func (t *Table) Used() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.used
}

// tickAdd is HAProxy's tick_add: never 0, which means "no date".
func tickAdd(now, d uint32) uint32 {
	if r := now + d; r != 0 {
		return r
	}
	return 1
}

// expired says whether tick exp is reached at now (wrapping clock).
func expired(exp, now uint32) bool { return exp != 0 && int32(now-exp) >= 0 }

func (t *Table) unlink(i uint32) {
	e := &t.ents[i]
	if !e.listed {
		return
	}
	t.ents[e.prev].next = e.next
	t.ents[e.next].prev = e.prev
	e.listed = false
}

// requeue puts entry i in the list at its expiry date: from the tail back,
// so that a touch (the newest date) costs one step.
func (t *Table) requeue(i uint32) {
	t.unlink(i)
	e := &t.ents[i]
	at := t.ents[0].prev
	for at != 0 && int32(t.ents[at].expire-e.expire) > 0 {
		at = t.ents[at].prev
	}
	e.prev, e.next = at, t.ents[at].next
	t.ents[e.next].prev = i
	t.ents[at].next = i
	e.listed = true
}

// touch dates entry i now+expire (when the table has one) and counts a
// local update.
func (t *Table) touch(i uint32, now uint32) {
	t.date(i, now)
	t.upd++
	t.ents[i].upd = t.upd
}

// date dates entry i now+expire (when the table has one).
func (t *Table) date(i uint32, now uint32) {
	e := &t.ents[i]
	if t.cfg.Expire != 0 {
		e.expire = tickAdd(now, t.cfg.Expire)
	} else {
		e.expire = tickAdd(now, 0)
	}
	if e.ref == 0 || e.listed {
		t.requeue(i)
	}
}

func (t *Table) lookup(key []byte) (uint32, bool) {
	i, _ := t.index.find(key)
	return i, i != 0
}

// create adds an entry for key, evicting the oldest unreferenced entries
// when the table is full (at most size/256+1 of them, as HAProxy trashes
// a batch); ok is false when full and nothing could go (or nopurge).
func (t *Table) create(key []byte, now uint32) (uint32, bool) {
	if t.used >= t.cfg.Size {
		if t.cfg.NoPurge || t.trashOldest(t.cfg.Size>>8+1) == 0 {
			return 0, false
		}
	}
	var i uint32
	if n := len(t.free); n > 0 {
		i = t.free[n-1]
		t.free = t.free[:n-1]
		clear(t.data[int(i)*t.stride : int(i+1)*t.stride])
	} else {
		i = uint32(len(t.ents))
		t.ents = append(t.ents, entry{})
		t.data = append(t.data, make([]uint32, t.stride)...)
	}
	t.ents[i] = entry{inUse: true}
	t.index.setKey(i, key)
	t.index.insert(i)
	t.used++
	// Dated, not yet an update: HAProxy's __stktable_store inserts the
	// entry without touching it; the caller's touch (the counters of a
	// track, a stick store, set table) numbers it for the peers.
	t.date(i, now)
	return i, true
}

func (t *Table) remove(i uint32) {
	t.unlink(i)
	if _, at := t.index.find(t.index.keyOf(i)); t.index.slots[at] == i {
		t.index.delete(at)
	}
	t.ents[i] = entry{}
	t.free = append(t.free, i)
	t.used--
}

// trashOldest removes up to n unreferenced entries from the head of the
// list; it returns how many went.
func (t *Table) trashOldest(n int) int {
	done := 0
	for at := t.ents[0].next; at != 0 && done < n; {
		next := t.ents[at].next
		if t.ents[at].ref > 0 {
			t.unlink(at)
		} else {
			t.remove(at)
			done++
		}
		at = next
	}
	return done
}

// Purge removes the unreferenced entries expired at now; it returns how
// many went. A table without expire never purges.
func (t *Table) Purge(now uint32) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.purgeLocked(now, -1)
}

// purgeLocked removes up to max expired entries (all with max < 0): the
// lookups purge a few each, so that memory follows the traffic without a
// timer.
func (t *Table) purgeLocked(now uint32, max int) int {
	if t.cfg.Expire == 0 {
		return 0
	}
	done := 0
	for at := t.ents[0].next; at != 0 && done != max && expired(t.ents[at].expire, now); {
		next := t.ents[at].next
		if t.ents[at].ref > 0 {
			t.unlink(at)
		} else {
			t.remove(at)
			done++
		}
		at = next
	}
	return done
}

// Acquire holds the entry of key, creating it when create is set (then
// dated now+expire). ok is false when there is none and none could be
// made.
func (t *Table) Acquire(key []byte, create bool, now uint32) (Ref, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.purgeLocked(now, 8)
	i, ok := t.lookup(key)
	if !ok {
		if !create {
			return Ref{}, false
		}
		if i, ok = t.create(key, now); !ok {
			return Ref{}, false
		}
	}
	t.ents[i].ref++
	return Ref{t: t, i: i}, true
}

// Track holds the entry of key as a track-sc action does: created if
// needed, then conn_cnt and conn_cur counted, conn_rate updated and the
// entry dated now+expire (HAProxy's stream_start_counters).
func (t *Table) Track(key []byte, now uint32) (Ref, bool) {
	r, ok := t.Acquire(key, true, now)
	if ok {
		t.mu.Lock()
		t.add(r.i, ConnCur, 0, 1, now)
		t.add(r.i, ConnCnt, 0, 1, now)
		t.add(r.i, ConnRate, 0, 1, now)
		// Dated only: HAProxy's track-sc numbers no update of its own;
		// the request counters or the end of the tracking do.
		t.date(r.i, now)
		t.mu.Unlock()
	}
	return r, ok
}

// Valid says whether r holds an entry.
func (r Ref) Valid() bool { return r.t != nil }

// Table is the table of the held entry.
func (r Ref) Table() *Table { return r.t }

// Release lets the entry go: conn_cur is decremented when endConn is set
// (the tracking of a connection or stream ends), and the entry is dated
// now+expire, as HAProxy's stream_store_counters does.
func (r Ref) Release(endConn bool, now uint32) {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	if endConn {
		if w := t.word(r.i, ConnCur, 0); w != nil && w[0] > 0 {
			w[0]--
		}
	}
	t.ents[r.i].ref--
	t.touch(r.i, now)
}

// word is the first word of element idx of type d in entry i (nil when
// not stored).
func (t *Table) word(i uint32, d DataType, idx int) []uint32 {
	if d >= NumDataTypes || t.off[d] < 0 || idx < 0 || idx >= t.count[d] {
		return nil
	}
	n := types[d].kind.words()
	at := int(i)*t.stride + int(t.off[d]) + idx*n
	return t.data[at : at+n : at+n]
}

func (t *Table) add(i uint32, d DataType, idx int, n uint64, now uint32) bool {
	w := t.word(i, d, idx)
	if w == nil {
		return false
	}
	switch types[d].kind {
	case kFreq:
		freqUpdate(w, t.period[d], now, uint32(n))
	case kULL:
		v := uint64(w[0])<<32 | uint64(w[1]) + n
		w[0], w[1] = uint32(v>>32), uint32(v)
	default:
		w[0] += uint32(n)
	}
	return true
}

// Add counts n events on element idx of type d (a counter grows, a rate
// is updated); false when the table does not store it. The entry is not
// re-dated (HAProxy's counters do not touch it), but the update is counted
// for peers.
func (r Ref) Add(d DataType, idx int, n uint64, now uint32) bool {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	ok := t.add(r.i, d, idx, n, now)
	if ok {
		t.upd++
		t.ents[r.i].upd = t.upd
	}
	return ok
}

// AddPair counts n on a counter and its rate together (http_req_cnt and
// http_req_rate, ...): one lock for the pair, as the request path runs it.
func (r Ref) AddPair(cnt, rate DataType, n uint64, now uint32) {
	t := r.t
	t.mu.Lock()
	a := t.add(r.i, cnt, 0, n, now)
	b := t.add(r.i, rate, 0, n, now)
	if a || b {
		t.upd++
		t.ents[r.i].upd = t.upd
	}
	t.mu.Unlock()
}

func (t *Table) value(i uint32, d DataType, idx int, now uint32) (uint64, bool) {
	w := t.word(i, d, idx)
	if w == nil {
		return 0, false
	}
	switch types[d].kind {
	case kFreq:
		return uint64(freqRead(w, t.period[d], now)), true
	case kULL:
		return uint64(w[0])<<32 | uint64(w[1]), true
	case kSInt:
		return uint64(int64(int32(w[0]))), true
	}
	return uint64(w[0]), true
}

// Value reads element idx of type d at now (a rate as HAProxy reads it);
// false when the table does not store it. A server_id reads as its
// signed value converted to uint64.
func (r Ref) Value(d DataType, idx int, now uint32) (uint64, bool) {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.value(r.i, d, idx, now)
}

func (t *Table) set(i uint32, d DataType, idx int, v uint64, now uint32) bool {
	w := t.word(i, d, idx)
	if w == nil {
		return false
	}
	switch types[d].kind {
	case kDict:
		// a number names no string: HAProxy's `set table` leaves it as is
		// (SetString stores one)
	case kFreq:
		freqSet(w, now, uint32(v))
	case kULL:
		w[0], w[1] = uint32(v>>32), uint32(v)
	default:
		w[0] = uint32(v)
	}
	return true
}

// Set stores v in element idx of type d (a rate restarts at v now);
// false when the table does not store it.
func (r Ref) Set(d DataType, idx int, v uint64, now uint32) bool {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	ok := t.set(r.i, d, idx, v, now)
	if ok {
		t.upd++
		t.ents[r.i].upd = t.upd
	}
	return ok
}

// Touch dates the entry now+expire.
func (r Ref) Touch(now uint32) {
	r.t.mu.Lock()
	r.t.touch(r.i, now)
	r.t.mu.Unlock()
}

// ExpireIn is the time left before the entry expires, in ms (0 without
// a date).
func (r Ref) ExpireIn(now uint32) uint32 {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return remain(r.t.ents[r.i].expire, now)
}

// remain is HAProxy's tick_remain: 0 once reached.
func remain(exp, now uint32) uint32 {
	if exp == 0 || int32(exp-now) < 0 {
		return 0
	}
	return exp - now
}

// Drop lets a held entry go without dating it (a lookup's hold).
func (r Ref) Drop() {
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	e := &t.ents[r.i]
	e.ref--
	if e.ref == 0 && !e.listed {
		t.requeue(r.i)
	}
}

// Key is the held entry's key.
func (r Ref) Key() []byte {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return append([]byte(nil), r.t.index.keyOf(r.i)...)
}

// Holders is how many hold the entry (trackers and lookups).
func (r Ref) Holders() int {
	r.t.mu.Lock()
	defer r.t.mu.Unlock()
	return int(r.t.ents[r.i].ref)
}

// Has says whether the table holds an entry for key.
func (t *Table) Has(key []byte) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	_, ok := t.lookup(key)
	return ok
}
