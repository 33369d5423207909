package proxy

import (
	"unsafe"

	"github.com/goha-lb/goha/proxy/http1"
)

// The names filter of an edited header list (editedHeaders.names): a bit
// for each name the list may have, so that a set-header or del-header
// naming a field the list lacks (most set-header rules add one) skips
// the scan of the fields. A name's key is a hash of its length and its
// last four bytes in lower case (many names share their first ones,
// "x-"); its top bit chooses one of the filter's two words and the next
// six its bit there. A rule's key is made once (ruleNamesOf).

// namesFilter is the filter's 128 bits.
type namesFilter [2]uint64

// nameKey is the key of a field name, the same for every case of it: its
// length, then its last four bytes in lower case, big-endian, hashed.
func nameKey[T string | []byte](name T) uint64 {
	n := len(name)
	if n < 4 {
		h := uint64(n)
		for i := range n {
			h = h<<8 | uint64(lowerByte(name[i]))
		}
		return h * 0x9e3779b97f4a7c15
	}
	x := uint32(name[n-4])<<24 | uint32(name[n-3])<<16 | uint32(name[n-2])<<8 | uint32(name[n-1])
	// The four bytes lowered at once: a byte of 'A'..'Z' (high bit
	// clear) gets 0x20; the sums below stay inside each byte.
	const ones = 0x01010101
	low := x & (0x7f * ones)
	upper := (low + (0x80-'A')*ones) &^ (low + (0x80-'Z'-1)*ones) &^ x & (0x80 * ones)
	x |= upper >> 2
	return (uint64(n)<<32 | uint64(x)) * 0x9e3779b97f4a7c15
}

func (f *namesFilter) add(key uint64) { f[key>>63] |= 1 << (key >> 57 & 63) }

// mayHave is false when no name of that key was added.
func (f *namesFilter) mayHave(key uint64) bool { return f[key>>63]&(1<<(key>>57&63)) != 0 }

// namesOf is the names filter of the fields hs.
func namesOf(hs []http1.Header) namesFilter {
	var f namesFilter
	for _, h := range hs {
		f.add(nameKey(h.Name))
	}
	return f
}

// ruleName is a header rule's name in lower case and its key, made once
// per rule (frontend.lowerNames).
type ruleName struct {
	lower string
	key   uint64
}

// ruleNamesOf are the ruleNames of rules, in their order, and the bytes
// their lower-case names live in, each name followed by ": ": a field a
// rule adds names those bytes, which the head writer copies with the
// separator as they are (knownLine).
func ruleNamesOf(rules []HeaderRule) ([]ruleName, []byte) {
	size := 0
	for _, r := range rules {
		size += len(r.Name) + 2
	}
	lines := make([]byte, 0, size)
	out := make([]ruleName, len(rules))
	for i, r := range rules {
		at := len(lines)
		lines = append(lines, lowerASCII(r.Name)...)
		lower := lines[at:]
		lines = append(lines, ':', ' ')
		if len(lower) > 0 {
			out[i].lower = unsafe.String(&lower[0], len(lower))
		}
		out[i].key = nameKey(r.Name)
	}
	return out, lines
}

// knownLine is, when name is a rule's lower-case name in one of the
// rules' name bytes (ruleNamesOf's lines a and b), the name followed by
// its ": "; else nil.
func knownLine(name, a, b []byte) []byte {
	if len(name) == 0 {
		return nil
	}
	p := uintptr(unsafe.Pointer(unsafe.SliceData(name)))
	if p-uintptr(unsafe.Pointer(unsafe.SliceData(a))) < uintptr(len(a)) ||
		p-uintptr(unsafe.Pointer(unsafe.SliceData(b))) < uintptr(len(b)) {
		// (the names are not copied: the list points at the rules'
		// bytes, editedHeaders.constant)
		return unsafe.Slice(unsafe.SliceData(name), len(name)+2)
	}
	return nil
}

func lowerByte(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
