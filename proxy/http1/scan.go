package http1

import (
	"encoding/binary"
	"math/bits"
)

// Word-at-a-time byte search: a byte of x is zero when it shows in
// hasZero's result, and the lowest bit set there marks the first zero
// byte exactly (a borrow only sets bits above a zero byte).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
	crs   = '\r' * ones
	lfs   = '\n' * ones
)

func hasZero(x uint64) uint64 { return (x - ones) &^ x & highs }

// ctlIndex is the index in buf of the first NUL, CR or LF at or after
// p, -1 when there is none: what ends a header value, or refuses it.
func ctlIndex(buf []byte, p int) int {
	for ; p+8 <= len(buf); p += 8 {
		x := binary.LittleEndian.Uint64(buf[p:])
		if t := hasZero(x) | hasZero(x^crs) | hasZero(x^lfs); t != 0 {
			return p + bits.TrailingZeros64(t)>>3
		}
	}
	for ; p < len(buf); p++ {
		if c := buf[p]; c == 0 || c == '\r' || c == '\n' {
			return p
		}
	}
	return -1
}
