package peers

import "errors"

// The peers protocol's variable-length integer: values below 240 take one
// byte; larger values set the four high bits of the first byte, which
// carries the four low bits of (value-240), then seven bits a byte, the high
// bit of each byte saying another one follows.
const (
	encTwoBytesMin = 0xf0 // first value that needs two bytes (240)
	encStopByte    = 0x80 // bit 7: more bytes follow
	encFirstBits   = 4    // value bits carried by a multi-byte first byte
	encStopBits    = 7    // value bits carried by each following byte
	// MaxVarintLen is the longest encoding of a uint64.
	MaxVarintLen = 10
)

// ErrTruncated reports a varint (or any field) cut by the end of the data.
var ErrTruncated = errors.New("peers: truncated field")

// errVarintTooLong reports a varint longer than any uint64 encoding.
var errVarintTooLong = errors.New("peers: varint longer than 10 bytes")

// AppendVarint appends the peers encoding of v to b.
func AppendVarint(b []byte, v uint64) []byte {
	if v < encTwoBytesMin {
		return append(b, byte(v))
	}
	b = append(b, byte(v)|encTwoBytesMin)
	v = (v - encTwoBytesMin) >> encFirstBits
	for v >= encStopByte {
		b = append(b, byte(v)|encStopByte)
		v = (v - encStopByte) >> encStopBits
	}
	return append(b, byte(v))
}

// VarintLen returns the number of bytes AppendVarint writes for v.
func VarintLen(v uint64) int {
	if v < encTwoBytesMin {
		return 1
	}
	n := 2
	v = (v - encTwoBytesMin) >> encFirstBits
	for v >= encStopByte {
		n++
		v = (v - encStopByte) >> encStopBits
	}
	return n
}

// ReadVarint decodes the varint at the start of b and returns it with the
// number of bytes it took. A varint cut by the end of b is ErrTruncated
// (HAProxy's intdecode fails the same way); one longer than ten bytes, which
// no uint64 produces, is refused rather than silently wrapped.
func ReadVarint(b []byte) (uint64, int, error) {
	if len(b) == 0 {
		return 0, 0, ErrTruncated
	}
	v := uint64(b[0])
	if v < encTwoBytesMin {
		return v, 1, nil
	}
	shift := uint(encFirstBits)
	for i := 1; ; i++ {
		if i >= len(b) {
			return 0, 0, ErrTruncated
		}
		if i >= MaxVarintLen {
			return 0, 0, errVarintTooLong
		}
		v += uint64(b[i]) << shift
		shift += encStopBits
		if b[i] < encStopByte {
			return v, i + 1, nil
		}
	}
}
