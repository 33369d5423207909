package acl

import (
	"crypto/hmac"
	"encoding/base64"
	"fmt"

	"strconv"
	"strings"

	"github.com/cespare/xxhash/v2"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/hashfn"
)

// Binary converters of HAProxy 2.6 sample.c: be2dec and be2hex read the
// input as big-endian chunks, xxh32 and xxh64 hash it, hmac signs it.
func init() {
	bin, str, sint := haproxy.SampleBin, haproxy.SampleStr, haproxy.SampleSInt
	register(map[string]convDef{
		"be2dec": {in: bin, out: str, args: []argKind{argStr, argSInt, argSInt}, min: 1, build: buildBe2dec},
		"be2hex": {in: bin, out: str, args: []argKind{argStr, argSInt, argSInt}, build: buildBe2hex},
		"xxh32": {in: bin, out: sint, args: []argKind{argSInt}, build: func(a convArgs) (convFunc, error) {
			seed := uint32(a.ints[0])
			return func(v *value) bool { v.i = int64(hashfn.XXH32(v.s, seed)); return true }, nil
		}},
		"xxh64": {in: bin, out: sint, args: []argKind{argSInt}, build: func(a convArgs) (convFunc, error) {
			seed := uint64(a.ints[0])
			return func(v *value) bool {
				d := xxhash.NewWithSeed(seed)
				d.WriteString(v.s)
				v.i = int64(d.Sum64())
				return true
			}, nil
		}},
		"hmac": {in: bin, out: bin, args: []argKind{argStr, argStr}, min: 2, rbuild: buildHMAC},
	})
}

// checkTruncate is HAProxy's check of be2dec's and be2hex's third
// argument.
func checkTruncate(a convArgs) error {
	if a.ints[2] != 0 && a.ints[2] != 1 {
		return fmt.Errorf("Unsupported truncate value (%d)", a.ints[2])
	}
	return nil
}

// buildBe2dec is be2dec(<separator>,<chunk_size>[,<truncate>]): one
// unsigned decimal number per chunk of input bytes, with the separator
// between them; with truncate, a last chunk shorter than chunk_size is
// dropped.
func buildBe2dec(a convArgs) (convFunc, error) {
	sep, size := a.strs[0], a.ints[1]
	if size <= 0 || size > 8 {
		return nil, fmt.Errorf("chunk_size out of [1..8] range (%d)", size)
	}
	if err := checkTruncate(a); err != nil {
		return nil, err
	}
	truncate := a.ints[2] == 1
	n := int(size)
	return func(v *value) bool {
		in := v.s
		last := len(in)
		if truncate {
			last = len(in) - n + 1
		}
		out := make([]byte, 0, len(in)*4)
		for p := 0; p < last; {
			if p > 0 {
				out = append(out, sep...)
			}
			var num uint64
			for i := 0; i < n && p < len(in); i++ {
				num = num<<8 | uint64(in[p])
				p++
			}
			out = strconv.AppendUint(out, num, 10)
		}
		v.s = string(out)
		return true
	}, nil
}

// buildBe2hex is be2hex([<separator>][,<chunk_size>][,<truncate>]):
// upper-case hex, the separator every chunk_size input bytes.
func buildBe2hex(a convArgs) (convFunc, error) {
	sep, size := a.strs[0], a.ints[1]
	if size <= 0 && (sep != "" || a.ints[2] != 0) {
		return nil, fmt.Errorf("chunk_size needs to be positive (%d)", size)
	}
	if err := checkTruncate(a); err != nil {
		return nil, err
	}
	truncate := a.ints[2] == 1
	const digits = "0123456789ABCDEF"
	return func(v *value) bool {
		in := v.s
		n := int(size)
		last := len(in)
		if truncate {
			last = len(in) - n + 1
		}
		if sep == "" && !truncate {
			n = len(in)
		}
		out := make([]byte, 0, len(in)*2+len(in)*len(sep))
		for p := 0; p < last; {
			if p > 0 {
				out = append(out, sep...)
			}
			for i := 0; i < n && p < len(in); i++ {
				out = append(out, digits[in[p]>>4], digits[in[p]&15])
				p++
			}
		}
		v.s = string(out)
		return true
	}, nil
}

// isVarName says whether a converter's string argument names a variable,
// as HAProxy's vars_check_arg turns it into one: a known scope prefix.
func isVarName(s string) bool {
	scope, rest, ok := strings.Cut(s, ".")
	if !ok || rest == "" {
		return false
	}
	_, known := scopeStores[scope]
	return known || scope == "check"
}

// buildHMAC is hmac(<digest>,<key>): the key is base64, a string or a
// variable read per request; a key that does not decode leaves no sample.
func buildHMAC(a convArgs) (convFunc, reqConvFunc, error) {
	h, ok := digests[a.strs[0]]
	if !ok {
		return nil, nil, fmt.Errorf("algorithm '%s' is not supported by goha", a.strs[0])
	}
	sign := func(key []byte, v *value) bool {
		m := hmac.New(h, key)
		m.Write(sbytes(v.s))
		v.s = string(m.Sum(nil))
		return true
	}
	if !isVarName(a.strs[1]) {
		key, err := base64.StdEncoding.DecodeString(a.strs[1])
		if err != nil {
			// HAProxy decodes the constant per request and fails each time.
			return func(*value) bool { return false }, nil, nil
		}
		return func(v *value) bool { return sign(key, v) }, nil, nil
	}
	ref, err := argVar(a.strs[1])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		kv, ok := loadVarAs(r, ref, haproxy.SampleStr)
		if !ok {
			return false
		}
		key, err := base64.StdEncoding.DecodeString(kv.s)
		if err != nil {
			return false
		}
		return sign(key, v)
	}, nil
}
