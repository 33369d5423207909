package stick

import (
	"bytes"
	"hash/maphash"
)

// The key index: keys live in one slab of fixed-size slots (the table's
// key size; a string key is zero-padded and ends at its first NUL, as
// HAProxy's NUL-terminated string keys do), and an open-addressing hash
// table of entry numbers (0: empty) with linear probing finds them. About
// 4 bytes of slot per key at full load instead of a Go map's string
// header and bucket: memory is what a big table is measured on.

type index struct {
	seed  maphash.Seed
	slots []uint32 // power-of-two length
	n     int      // entries in slots
	size  int      // bytes of a key slot
	str   bool     // keys are strings: significant up to the first NUL
	keys  []byte   // slot i at i*size (slot 0 unused)
}

func newIndex(size int, str bool) index {
	return index{seed: maphash.MakeSeed(), slots: make([]uint32, 8), size: size, str: str, keys: make([]byte, size)}
}

// sig is the significant part of a key or stored slot.
func (x *index) sig(k []byte) []byte {
	if x.str {
		if i := bytes.IndexByte(k, 0); i >= 0 {
			return k[:i]
		}
	}
	return k
}

// keyOf is entry i's key (aliasing the slab: copy to keep it).
func (x *index) keyOf(i uint32) []byte {
	return x.sig(x.keys[int(i)*x.size : int(i+1)*x.size])
}

func (x *index) home(k []byte) int {
	return int(maphash.Bytes(x.seed, k)) & (len(x.slots) - 1)
}

// find returns entry number of key k and where it is in slots, or the
// empty slot where it would go.
func (x *index) find(k []byte) (uint32, int) {
	k = x.sig(k)
	mask := len(x.slots) - 1
	for at := x.home(k); ; at = (at + 1) & mask {
		i := x.slots[at]
		if i == 0 || bytes.Equal(x.keyOf(i), k) {
			return i, at
		}
	}
}

// setKey stores k in entry i's slot (the slab grows with the entries).
func (x *index) setKey(i uint32, k []byte) {
	end := int(i+1) * x.size
	if end > len(x.keys) {
		x.keys = append(x.keys, make([]byte, end-len(x.keys))...)
	}
	s := x.keys[int(i)*x.size : end]
	clear(s)
	copy(s, x.sig(k))
}

// insert indexes entry i, whose key is stored and absent from the index.
func (x *index) insert(i uint32) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	mask := len(x.slots) - 1
	at := x.home(x.keyOf(i))
	for x.slots[at] != 0 {
		at = (at + 1) & mask
	}
	x.slots[at] = i
	x.n++
}

func (x *index) grow() {
	old := x.slots
	x.slots = make([]uint32, 2*len(old))
	mask := len(x.slots) - 1
	for _, i := range old {
		if i == 0 {
			continue
		}
		at := x.home(x.keyOf(i))
		for x.slots[at] != 0 {
			at = (at + 1) & mask
		}
		x.slots[at] = i
	}
}

// delete removes the entry at slot position at, shifting back the
// entries of its probe chain (linear probing's deletion without marks).
func (x *index) delete(at int) {
	mask := len(x.slots) - 1
	x.slots[at] = 0
	x.n--
	for j := (at + 1) & mask; x.slots[j] != 0; j = (j + 1) & mask {
		i := x.slots[j]
		h := x.home(x.keyOf(i))
		// i may move to the hole when its home is not in (at, j].
		if (j > at && (h <= at || h > j)) || (j < at && h <= at && h > j) {
			x.slots[at], x.slots[j] = i, 0
			at = j
		}
	}
}
