package stick

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
)

// Filter is a `data.<type> <op> <value>` condition of `show table` and
// `clear table`.
type Filter struct {
	Type  DataType
	Op    string // eq, ne, lt, gt, le, ge
	Value uint64
}

// ParseFilter reads the three words of a filter with the runtime API's
// messages for what it refuses.
func (t *Table) ParseFilter(data, op, value string) (Filter, error) {
	name, ok := cutPrefix(data, "data.")
	d, known := LookupDataType(name)
	if !ok || !known {
		return Filter{}, fmt.Errorf("Unknown data type\n")
	}
	if _, stored := t.Stores(d); !stored {
		return Filter{}, fmt.Errorf("Data type not stored in this table\n")
	}
	switch op {
	case "eq", "ne", "lt", "gt", "le", "ge":
	default:
		return Filter{}, fmt.Errorf("Require a valid filter operator\n")
	}
	v, err := strconv.ParseInt(value, 10, 64)
	if err != nil {
		return Filter{}, fmt.Errorf("Require a valid integer value to compare against\n")
	}
	return Filter{Type: d, Op: op, Value: uint64(v)}, nil
}

func cutPrefix(s, p string) (string, bool) {
	if len(s) >= len(p) && s[:len(p)] == p {
		return s[len(p):], true
	}
	return s, false
}

func (f Filter) match(v uint64) bool {
	a, b := int64(v), int64(f.Value)
	switch f.Op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "lt":
		return a < b
	case "gt":
		return a > b
	case "le":
		return a <= b
	case "ge":
		return a >= b
	}
	return false
}

func (t *Table) matches(i uint32, fs []Filter, now uint32) bool {
	for _, f := range fs {
		if types[f.Type].kind == kDict {
			// HAProxy reads no number from a string type: 0 is compared
			if !f.match(0) {
				return false
			}
			continue
		}
		v, ok := t.value(i, f.Type, 0, now)
		if !ok || !f.match(v) {
			return false
		}
	}
	return true
}

// AppendHeader appends the `# table: ...` line of `show table`.
func (t *Table) AppendHeader(dst []byte) []byte {
	t.mu.Lock()
	used := t.used
	t.mu.Unlock()
	return fmt.Appendf(dst, "# table: %s, type: %s, size:%d, used:%d\n", t.cfg.Name, t.cfg.Key, t.cfg.Size, used)
}

// sortedLocked is the entries in key order, as HAProxy's key tree walks
// them: bytes compared, an integer's in the host's (little-endian) order
// HAProxy stores it in, where goha keeps it big-endian (measured on
// 2.6.12: keys 302, 404, 200, 201, 500, 503 are listed in that order).
func (t *Table) sortedLocked() []uint32 {
	out := make([]uint32, 0, t.used)
	for i := range t.ents {
		if t.ents[i].inUse {
			out = append(out, uint32(i))
		}
	}
	cmp := bytes.Compare
	if t.cfg.Key == KeyInteger {
		cmp = compareReversed
	}
	slices.SortFunc(out, func(a, b uint32) int { return cmp(t.index.keyOf(a), t.index.keyOf(b)) })
	return out
}

// compareReversed compares two keys of the same length from their last
// byte to their first.
func compareReversed(a, b []byte) int {
	for i := len(a) - 1; i >= 0 && i < len(b); i-- {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

// AppendEntries appends the entry lines of `show table`: every entry, or
// the one of key when key is not nil, kept by the filters.
func (t *Table) AppendEntries(dst []byte, key []byte, fs []Filter, now uint32) []byte {
	t.mu.Lock()
	defer t.mu.Unlock()
	if key != nil {
		if i, ok := t.lookup(key); ok && t.matches(i, fs, now) {
			dst = t.appendEntry(dst, i, now)
		}
		return dst
	}
	for _, i := range t.sortedLocked() {
		if t.matches(i, fs, now) {
			dst = t.appendEntry(dst, i, now)
		}
	}
	return dst
}

// appendEntry is one line: an address-like id, the key, the holders other
// than the dump ("use"), the ms left ("exp") and the stored values in
// type order; arrays print one name per element (gpc0, gpc1,
// gpc0_rate(P), ...).
func (t *Table) appendEntry(dst []byte, i uint32, now uint32) []byte {
	e := &t.ents[i]
	dst = fmt.Appendf(dst, "%p: key=", e)
	dst = t.cfg.FormatKey(dst, t.index.keyOf(i))
	dst = fmt.Appendf(dst, " use=%d exp=%d", e.ref, remain(e.expire, now))
	for d := DataType(0); d < NumDataTypes; d++ {
		if t.off[d] < 0 {
			continue
		}
		info := &types[d]
		for idx := range t.count[d] {
			dst = append(dst, ' ')
			if info.array {
				pfx, sfx, _ := bytes.Cut([]byte(info.name), []byte("_"))
				dst = append(dst, pfx...)
				dst = strconv.AppendInt(dst, int64(idx), 10)
				if len(sfx) > 0 {
					dst = append(dst, '_')
					dst = append(dst, sfx...)
				}
			} else {
				dst = append(dst, info.name...)
			}
			if info.period {
				dst = fmt.Appendf(dst, "(%d)", t.period[d])
			}
			dst = append(dst, '=')
			v, _ := t.value(i, d, idx, now)
			if info.kind == kDict {
				if s := lookupDict(uint32(v)); s != "" {
					dst = append(dst, s...)
				} else {
					dst = append(dst, '-')
				}
			} else if info.kind == kSInt {
				dst = strconv.AppendInt(dst, int64(v), 10)
			} else {
				dst = strconv.AppendUint(dst, v, 10)
			}
		}
	}
	return append(dst, '\n')
}

// Clear removes the unreferenced entries kept by the filters (all of them
// without a filter), or the entry of key when key is not nil; it returns
// how many went.
func (t *Table) Clear(key []byte, fs []Filter, now uint32) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	n := 0
	if key != nil {
		if i, ok := t.lookup(key); ok && t.ents[i].ref == 0 {
			t.remove(i)
			n++
		}
		return n
	}
	for _, i := range t.sortedLocked() {
		if t.ents[i].ref == 0 && t.matches(i, fs, now) {
			t.remove(i)
			n++
		}
	}
	return n
}
