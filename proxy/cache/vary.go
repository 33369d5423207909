package cache

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"

	"github.com/goha-lb/goha/proxy/http1"
)

// The headers a Vary response may name (HAProxy 2.6's vary_information):
// their bits in a signature, and the secondary key's layout: 4 bytes of
// accepted encodings bitmap, then 4 bytes of CRC-32 of the first Referer,
// both little endian.
const (
	VaryAcceptEncoding = 1 << 0
	VaryReferer        = 1 << 1
)

// SecondaryKey is the part of a request's key a Vary response selects.
type SecondaryKey [8]byte

// The encodings HAProxy knows (its bitmap bits).
const (
	encGzip = 1 << iota
	encDeflate
	encBr
	encCompress
	encAES128GCM
	encExi
	encPack200Gzip
	encZstd
	encIdentity
	encStar
	encOther
)

var encodings = []struct {
	name string
	bit  uint32
}{
	{"aes128gcm", encAES128GCM}, {"br", encBr}, {"compress", encCompress}, {"deflate", encDeflate},
	{"exi", encExi}, {"gzip", encGzip}, {"identity", encIdentity}, {"pack200-gzip", encPack200Gzip},
	{"x-gzip", encGzip}, {"x-compress", encCompress}, {"zstd", encZstd},
}

// parseEncoding is HAProxy's parse_encoding_value on one lower-cased
// value: its bit, and whether its weight is exactly "q=0"; false for an
// unknown encoding or a malformed weight.
func parseEncoding(v []byte) (bit uint32, nullWeight, ok bool) {
	if len(v) == 0 {
		return 0, false, false
	}
	rest := v
	if v[0] == '*' {
		bit, rest = encStar, v[1:]
	} else {
		for _, e := range encodings {
			if e.name[0] == v[0] && bytes.HasPrefix(v, []byte(e.name)) {
				bit, rest = e.bit, v[len(e.name):]
				break
			}
		}
		if bit == 0 {
			return 0, false, false
		}
	}
	rest = bytes.TrimLeft(rest, " \t")
	if len(rest) > 0 {
		if rest[0] != ';' {
			return 0, false, false
		}
		nullWeight = string(bytes.TrimLeft(rest[1:], " \t")) == "q=0"
	}
	return bit, nullWeight, true
}

// acceptEncodingBitmap is HAProxy's accept_encoding_normalizer: the
// encodings a request accepts (identity unless refused, all without the
// header, all but the refused ones with "*", the unknown ones as one
// bit); false past 15 values.
func acceptEncodingBitmap(hs []http1.Header) (uint32, bool) {
	bitmap, refused := uint32(encIdentity), ^uint32(0)
	count := 0
	Values(hs, "accept-encoding", func(v []byte) bool {
		if count >= 16 {
			return false
		}
		count++
		if len(v) == 0 {
			return true
		}
		bit, null, ok := parseEncoding(bytes.ToLower(v))
		switch {
		case !ok:
			bitmap |= encOther
		case null:
			refused &^= bit
		default:
			bitmap |= bit
		}
		return true
	})
	if bitmap&encStar != 0 {
		bitmap = ^uint32(0)
	}
	bitmap &= refused
	if count == 0 {
		bitmap = ^uint32(0)
	}
	return bitmap, count < 16
}

// RequestSecondaryKey is the request's secondary key for the headers of
// signature sig (each absent part zero); false when it cannot be built
// (too many Accept-Encoding values).
func RequestSecondaryKey(hs []http1.Header, sig uint) (SecondaryKey, bool) {
	var k SecondaryKey
	if sig&VaryAcceptEncoding != 0 {
		b, ok := acceptEncodingBitmap(hs)
		if !ok {
			return k, false
		}
		binary.LittleEndian.PutUint32(k[0:4], b)
	}
	if sig&VaryReferer != 0 {
		if v, ok := first(hs, "referer"); ok {
			binary.LittleEndian.PutUint32(k[4:8], crc32.ChecksumIEEE(v))
		}
	}
	return k, true
}

// VarySignature reads a response's Vary headers: the headers they name;
// false when one names a header the cache cannot vary on.
func VarySignature(hs []http1.Header) (uint, bool) {
	sig, ok := uint(0), true
	Values(hs, "vary", func(v []byte) bool {
		switch {
		case http1.EqualFold(v, "accept-encoding"):
			sig |= VaryAcceptEncoding
		case http1.EqualFold(v, "referer"):
			sig |= VaryReferer
		default:
			ok = false
		}
		return ok
	})
	return sig, ok
}

// ResponseEncoding is the bitmap of a response's Content-Encoding
// (identity without one); false for an encoding HAProxy does not know.
func ResponseEncoding(hs []http1.Header) (uint32, bool) {
	bitmap, ok := uint32(0), true
	Values(hs, "content-encoding", func(v []byte) bool {
		bit, _, known := parseEncoding(v)
		if !known {
			ok = false
			return false
		}
		bitmap |= bit
		return true
	})
	if bitmap == 0 {
		bitmap = encIdentity
	}
	return bitmap, ok
}

// matches is HAProxy's secondary_key_cmp: the stored response's encodings
// must all be accepted by the request, and the other parts equal.
func (ref SecondaryKey) matches(req SecondaryKey) bool {
	rb, qb := binary.LittleEndian.Uint32(ref[0:4]), binary.LittleEndian.Uint32(req[0:4])
	if rb&encOther != 0 || rb&qb != rb {
		return false
	}
	return bytes.Equal(ref[4:], req[4:])
}

// Reduce keeps of a request's whole secondary key the parts signature
// sig names.
func (k SecondaryKey) Reduce(sig uint) SecondaryKey {
	if sig&VaryAcceptEncoding == 0 {
		clear(k[0:4])
	}
	if sig&VaryReferer == 0 {
		clear(k[4:8])
	}
	return k
}

// WithEncoding is k with the response's encodings (ResponseEncoding) in
// place of the accepted ones: what HAProxy stores for any varying
// response, whatever its Vary names.
func (k SecondaryKey) WithEncoding(bitmap uint32) SecondaryKey {
	binary.LittleEndian.PutUint32(k[0:4], bitmap)
	return k
}
