package stick

import "slices"

// The peers view. Every local change (creation, touch, counter, set)
// numbers the entry with the table's next update id, as HAProxy's
// stktable_touch_local does; a peer module reads the entries changed
// after the last id it sent (Updates) and applies what a remote peer sent
// (Apply), which does not renumber: a remote update is not sent back.

// Value is one stored element as the peers protocol carries it: a counter
// in U, a rate as its period's age in ms (now - start) and its two counts,
// a string type (server_key) in S ("": no value).
type Value struct {
	Type  DataType
	Index int
	U     uint64
	Age   uint32
	Curr  uint32
	Prev  uint32
	S     string
}

// Snapshot is an entry as a peer sends it.
type Snapshot struct {
	Key    []byte
	Update uint32 // the entry's update id
	Expire uint32 // ms left (0: no date)
	Values []Value
}

// UpdateID is the id of the table's last local update.
func (t *Table) UpdateID() uint32 {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.upd
}

// Updates returns up to max entries whose update id is after `after`
// (wrap-aware), oldest update first. It walks the whole table: fine for
// the sizes it has been measured with; a peer sends in batches.
func (t *Table) Updates(after uint32, max int, now uint32) []Snapshot {
	t.mu.Lock()
	defer t.mu.Unlock()
	var idx []uint32
	for i := range t.ents {
		if t.ents[i].inUse && int32(t.ents[i].upd-after) > 0 {
			idx = append(idx, uint32(i))
		}
	}
	slices.SortFunc(idx, func(a, b uint32) int { return int(int32(t.ents[a].upd - t.ents[b].upd)) })
	if max > 0 && len(idx) > max {
		idx = idx[:max]
	}
	out := make([]Snapshot, 0, len(idx))
	for _, i := range idx {
		out = append(out, t.snapshot(i, now))
	}
	return out
}

func (t *Table) snapshot(i uint32, now uint32) Snapshot {
	e := &t.ents[i]
	s := Snapshot{Key: append([]byte(nil), t.index.keyOf(i)...), Update: e.upd, Expire: remain(e.expire, now)}
	for d := DataType(0); d < NumDataTypes; d++ {
		for idx := range t.count[d] {
			w := t.word(i, d, idx)
			v := Value{Type: d, Index: idx}
			switch types[d].kind {
			case kFreq:
				v.Age, v.Curr, v.Prev = now-w[0], w[1], w[2]
			case kULL:
				v.U = uint64(w[0])<<32 | uint64(w[1])
			case kDict:
				v.S = lookupDict(w[0])
			default:
				v.U = uint64(w[0])
			}
			s.Values = append(s.Values, v)
		}
	}
	return s
}

// Apply stores a remote update: the entry is created if needed (false
// when the table is full and nothing could be evicted), its values of the
// types this table stores are replaced, the others ignored, and it is
// dated now+Expire (now+the table's expire when Expire is 0 and the table
// has one).
func (t *Table) Apply(s Snapshot, now uint32) bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	i, ok := t.lookup(s.Key)
	if !ok {
		if i, ok = t.create(s.Key, now); !ok {
			return false
		}
		// Numbered past the local updates, as HAProxy keys a learned
		// entry (++update + 2^31): the table's update counter moves, the
		// entry is not sent back.
		t.upd++
		t.ents[i].upd = 0
	}
	for _, v := range s.Values {
		w := t.word(i, v.Type, v.Index)
		if w == nil {
			continue
		}
		switch types[v.Type].kind {
		case kFreq:
			w[0], w[1], w[2] = (now-v.Age)&^1, v.Curr, v.Prev
		case kULL:
			w[0], w[1] = uint32(v.U>>32), uint32(v.U)
		case kDict:
			w[0] = intern(v.S)
		default:
			w[0] = uint32(v.U)
		}
	}
	e := &t.ents[i]
	switch {
	case s.Expire != 0:
		e.expire = tickAdd(now, s.Expire)
	case t.cfg.Expire != 0:
		e.expire = tickAdd(now, t.cfg.Expire)
	}
	if e.ref == 0 || e.listed {
		t.requeue(i)
	}
	return true
}
