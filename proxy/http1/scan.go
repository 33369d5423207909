package http1

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time byte search: (x - n*ones) &^ x & highs has the high bit
// of each byte of x below n (n <= 0x80) set, and of some bytes above
// such a byte (a borrow runs up): its lowest bit set marks the first
// byte below n exactly.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// ctlIndex is the index in buf of the first NUL, CR or LF at or after
// p, -1 when there is none: what ends a header value, or refuses it.
// Eight bytes are tested at once for a byte below 0x0e; the other
// control bytes found so (HTAB, ...) are rare in values and stepped
// over one at a time.
func ctlIndex(buf []byte, p int) int {
	for p+8 <= len(buf) {
		x := binary.LittleEndian.Uint64(buf[p:])
		t := (x - 0x0e*ones) &^ x & highs
		if t == 0 {
			p += 8
			continue
		}
		p += bits.TrailingZeros64(t) >> 3
		if c := buf[p]; c == 0 || c == '\r' || c == '\n' {
			return p
		}
		p++
	}
	for ; p < len(buf); p++ {
		if c := buf[p]; c == 0 || c == '\r' || c == '\n' {
			return p
		}
	}
	return -1
}

// tokenBits is isToken as 1s: four bytes are judged with one branch.
var tokenBits = func() (t [256]uint8) {
	for c, ok := range isToken {
		if ok {
			t[c] = 1
		}
	}
	return
}()

// tokenEnd is the index of the first byte at or after p that is not a
// token byte (len(buf) when there is none).
func tokenEnd(buf []byte, p int) int {
	for ; p+4 <= len(buf); p += 4 {
		b := buf[p : p+4 : p+4]
		if tokenBits[b[0]]&tokenBits[b[1]]&tokenBits[b[2]]&tokenBits[b[3]] == 0 {
			break
		}
	}
	for p < len(buf) && isToken[buf[p]] {
		p++
	}
	return p
}
