package stick

import "sync"

// server_key values are strings, stored in an entry as a number naming
// them in one process-wide dictionary (HAProxy's server_key_dict): the
// values are server names (or peers' copies of them), few and shared by
// many entries. The dictionary only grows, so it is bounded: past
// maxDictEntries new strings are not stored (the entry keeps "no value"),
// which only a peer sending that many distinct names could reach.

const maxDictEntries = 1 << 16

var dict struct {
	mu   sync.RWMutex
	ids  map[string]uint32
	strs []string // strs[id-1]
}

// intern is s's dictionary number (0: "" or the dictionary is full).
func intern(s string) uint32 {
	if s == "" {
		return 0
	}
	dict.mu.RLock()
	id, ok := dict.ids[s]
	dict.mu.RUnlock()
	if ok {
		return id
	}
	dict.mu.Lock()
	defer dict.mu.Unlock()
	if id, ok := dict.ids[s]; ok {
		return id
	}
	if len(dict.strs) >= maxDictEntries {
		return 0
	}
	if dict.ids == nil {
		dict.ids = map[string]uint32{}
	}
	dict.strs = append(dict.strs, s)
	id = uint32(len(dict.strs))
	dict.ids[s] = id
	return id
}

// lookupDict is the string of number id ("" for 0).
func lookupDict(id uint32) string {
	if id == 0 {
		return ""
	}
	dict.mu.RLock()
	defer dict.mu.RUnlock()
	if int(id) > len(dict.strs) {
		return ""
	}
	return dict.strs[id-1]
}

// SetString stores s in a string type (server_key); false when the table
// does not store d or d is not a string type.
func (r Ref) SetString(d DataType, s string, now uint32) bool {
	if d >= NumDataTypes || types[d].kind != kDict {
		return false
	}
	id := intern(s)
	t := r.t
	t.mu.Lock()
	defer t.mu.Unlock()
	w := t.word(r.i, d, 0)
	if w == nil {
		return false
	}
	w[0] = id
	t.upd++
	t.ents[r.i].upd = t.upd
	return true
}

// String reads a string type (server_key): "" and false when the table
// does not store it or the entry has no value.
func (r Ref) String(d DataType) (string, bool) {
	if d >= NumDataTypes || types[d].kind != kDict {
		return "", false
	}
	t := r.t
	t.mu.Lock()
	w := t.word(r.i, d, 0)
	var id uint32
	if w != nil {
		id = w[0]
	}
	t.mu.Unlock()
	s := lookupDict(id)
	return s, s != ""
}
