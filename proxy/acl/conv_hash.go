package acl

import (
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"github.com/goha-lb/goha/proxy/internal/expreplace"
	"hash"
	"hash/crc32"
	"unsafe"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/hashfn"
	"github.com/zeebo/xxh3"
)

// Hash and encoding converters (HAProxy 2.6 sample.c, hash.c,
// ssl_sample.c). The 32-bit hashes take an optional non-zero argument that
// applies HAProxy's avalanche (full_hash) to the result.
func init() {
	sint, str, bin := haproxy.SampleSInt, haproxy.SampleStr, haproxy.SampleBin
	hash32 := func(f func(string) uint32) convDef {
		return convDef{in: bin, out: sint, args: []argKind{argSInt}, build: func(a convArgs) (convFunc, error) {
			avalanche := a.ints[0] != 0
			return func(v *value) bool {
				h := f(v.s)
				if avalanche {
					h = hashfn.FullHash(h)
				}
				v.i = int64(h)
				return true
			}, nil
		}}
	}
	castagnoli := crc32.MakeTable(crc32.Castagnoli)
	register(map[string]convDef{
		"djb2":   hash32(hashfn.DJB2),
		"sdbm":   hash32(hashfn.SDBM),
		"wt6":    hash32(hashfn.WT6),
		"crc32":  hash32(hashfn.CRC32),
		"crc32c": hash32(func(s string) uint32 { return crc32.Checksum(sbytes(s), castagnoli) }),
		"xxh3": {in: bin, out: sint, args: []argKind{argSInt}, build: func(a convArgs) (convFunc, error) {
			seed := uint64(a.ints[0])
			return func(v *value) bool { v.i = int64(xxh3.HashStringSeed(v.s, seed)); return true }, nil
		}},
		"sha1":   {in: bin, out: bin, build: fixed(digestFunc(sha1.New))},
		"sha2":   {in: bin, out: bin, args: []argKind{argSInt}, build: buildSHA2},
		"digest": {in: bin, out: bin, args: []argKind{argStr}, min: 1, build: buildDigest},

		"hex":     {in: bin, out: str, build: fixed(func(v *value) bool { v.s = upperHex(v.s); return true })},
		"hex2i":   {in: str, out: sint, build: fixed(hex2i)},
		"base64":  {in: bin, out: str, build: fixed(encodeWith(base64.StdEncoding))},
		"b64dec":  {in: str, out: bin, build: fixed(decodeWith(base64.StdEncoding))},
		"ub64enc": {in: bin, out: str, build: fixed(encodeWith(base64.RawURLEncoding))},
		"ub64dec": {in: str, out: bin, build: fixed(ub64dec)},
	})
}

// sbytes is a read-only view of s as bytes, for the hash functions that
// take a []byte and only read it (no copy per request).
func sbytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func digestFunc(newHash func() hash.Hash) convFunc {
	return func(v *value) bool {
		h := newHash()
		h.Write(sbytes(v.s))
		v.s = string(h.Sum(nil))
		return true
	}
}

// buildSHA2 is sha2([<bits>]): 224, 256 (the default), 384 or 512.
func buildSHA2(a convArgs) (convFunc, error) {
	bits := int64(256)
	if a.has(0) {
		bits = a.ints[0]
	}
	switch bits {
	case 224:
		return digestFunc(sha256.New224), nil
	case 256:
		return digestFunc(sha256.New), nil
	case 384:
		return digestFunc(sha512.New384), nil
	case 512:
		return digestFunc(sha512.New), nil
	}
	return nil, fmt.Errorf("Unsupported number of bits: '%d'.", bits)
}

// digests are the OpenSSL digest names goha computes for digest().
var digests = map[string]func() hash.Hash{
	"md5": md5.New, "sha1": sha1.New, "sha224": sha256.New224, "sha256": sha256.New,
	"sha384": sha512.New384, "sha512": sha512.New,
	"SHA1": sha1.New, "SHA224": sha256.New224, "SHA256": sha256.New, "SHA384": sha512.New384, "SHA512": sha512.New, "MD5": md5.New,
}

// buildDigest is digest(<algorithm>) for the usual OpenSSL names; other
// OpenSSL digests are refused (not implemented).
func buildDigest(a convArgs) (convFunc, error) {
	h, ok := digests[a.strs[0]]
	if !ok {
		return nil, fmt.Errorf("algorithm '%s' is not supported by goha", a.strs[0])
	}
	return digestFunc(h), nil
}

func upperHex(s string) string {
	const digits = "0123456789ABCDEF"
	b := make([]byte, 2*len(s))
	for i := 0; i < len(s); i++ {
		b[2*i], b[2*i+1] = digits[s[i]>>4], digits[s[i]&15]
	}
	return string(b)
}

// hex2i reads a hexadecimal string as a signed integer; a byte that is not
// a hex digit leaves no sample.
func hex2i(v *value) bool {
	var n int64
	for i := 0; i < len(v.s); i++ {
		if _, err := hex.DecodeString("0" + v.s[i:i+1]); err != nil {
			return false
		}
		n = n<<4 | int64(expreplace.Unhex(v.s[i]))
	}
	v.i = n
	return true
}

func encodeWith(enc *base64.Encoding) convFunc {
	return func(v *value) bool { v.s = enc.EncodeToString([]byte(v.s)); return true }
}

// decodeWith decodes v; input that does not decode leaves no sample.
func decodeWith(enc *base64.Encoding) convFunc {
	return func(v *value) bool {
		b, err := enc.DecodeString(v.s)
		if err != nil {
			return false
		}
		v.s = string(b)
		return true
	}
}

// ub64dec decodes base64url without padding as HAProxy 2.6.12 does: a
// length of 4n+1 has no sample, and '=' is read as the digit 63 (so
// "aGk=" gives "hi?"), as TestConverterDifferential found.
func ub64dec(v *value) bool {
	if len(v.s)%4 == 1 {
		return false
	}
	out := make([]byte, 0, len(v.s)*3/4)
	var acc uint32
	n := 0
	for i := 0; i < len(v.s); i++ {
		d, ok := url64Digit(v.s[i])
		if !ok {
			return false
		}
		acc, n = acc<<6|d, n+1
		if n == 4 {
			out = append(out, byte(acc>>16), byte(acc>>8), byte(acc))
			acc, n = 0, 0
		}
	}
	switch n {
	case 2:
		out = append(out, byte(acc>>4))
	case 3:
		out = append(out, byte(acc>>10), byte(acc>>2))
	}
	v.s = string(out)
	return true
}

func url64Digit(c byte) (uint32, bool) {
	switch {
	case c >= 'A' && c <= 'Z':
		return uint32(c - 'A'), true
	case c >= 'a' && c <= 'z':
		return uint32(c-'a') + 26, true
	case c >= '0' && c <= '9':
		return uint32(c-'0') + 52, true
	case c == '-':
		return 62, true
	case c == '_', c == '=':
		return 63, true
	}
	return 0, false
}
