package acl

import (
	"fmt"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
)

// json_query and the JWT query converters (HAProxy 2.6 sample.c over the
// mjson library): a value found at a JSONPath-like path ($, .key, [i])
// becomes a typed sample; null, arrays and objects give no sample.
func init() {
	str, bin, any := haproxy.SampleStr, haproxy.SampleBin, haproxy.SampleAny
	register(map[string]convDef{
		"json_query":        {in: str, out: any, args: []argKind{argStr, argStr}, min: 1, keep: true, build: buildJSONQuery},
		"jwt_header_query":  {in: bin, out: any, args: []argKind{argStr, argStr}, keep: true, build: buildJWTQuery(0)},
		"jwt_payload_query": {in: bin, out: any, args: []argKind{argStr, argStr}, keep: true, build: buildJWTQuery(1)},
	})
}

// jsonIntMax is the largest integer json_query returns with "int"
// (RFC 7159's interoperable range).
const jsonIntMax = 1<<53 - 1

func checkOutputType(a convArgs) (bool, error) {
	if a.strs[1] == "" {
		return false, nil
	}
	if a.strs[1] != "int" {
		return false, fmt.Errorf("output_type only supports \"int\" as argument")
	}
	return true, nil
}

func buildJSONQuery(a convArgs) (convFunc, error) {
	asInt, err := checkOutputType(a)
	if err != nil {
		return nil, err
	}
	path := a.strs[0]
	return func(v *value) bool { return jsonQuery(v, path, asInt) }, nil
}

// jsonQuery replaces v (the JSON text) with the value at path.
func jsonQuery(v *value, path string, asInt bool) bool {
	kind, tok := jsonFind(v.s, path)
	switch kind {
	case jsonNumber:
		if asInt {
			n, ok := strtoll(tok)
			if !ok || n < -jsonIntMax || n > jsonIntMax {
				return false
			}
			v.t, v.i = haproxy.SampleSInt, n
			return true
		}
		f, err := strconv.ParseFloat(tok, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); !ok || ne.Err != strconv.ErrRange {
				return false
			}
		}
		v.t, v.s = haproxy.SampleStr, fmt.Sprintf("%.6g", f) // C's "%g"
		return true
	case jsonTrue, jsonFalse:
		v.t, v.i = haproxy.SampleBool, 0
		if kind == jsonTrue {
			v.i = 1
		}
		return true
	case jsonString:
		s, ok := jsonUnescape(tok[1 : len(tok)-1])
		if !ok {
			return false
		}
		v.t, v.s = haproxy.SampleStr, s
		return true
	}
	return false // null, array, object, or nothing at path
}

// strtoll reads a JSON number's integer part as C's strtoll(s, NULL, 0):
// the digits up to the first non-digit, saturating.
func strtoll(s string) (int64, bool) {
	neg := false
	i := 0
	if i < len(s) && s[i] == '-' {
		neg, i = true, i+1
	}
	var n int64
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		d := int64(s[i] - '0')
		if n > (1<<63-1-d)/10 {
			return 0, false // out of range: beyond the JSON bound anyway
		}
		n = n*10 + d
	}
	if neg {
		n = -n
	}
	return n, true
}

// jsonUnescape decodes a JSON string's escapes as mjson does: \uXXXX only
// for 00XX (one byte), the usual single-letter escapes, anything else
// invalid.
func jsonUnescape(s string) (string, bool) {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' {
			out = append(out, c)
			continue
		}
		if i+5 < len(s) && s[i+1] == 'u' {
			if s[i+2] != '0' || s[i+3] != '0' {
				return "", false
			}
			out = append(out, unhexNibble(s[i+4])<<4|unhexNibble(s[i+5]))
			i += 5
			continue
		}
		if i+1 >= len(s) {
			out = append(out, c)
			continue
		}
		e, ok := jsonEscapes[s[i+1]]
		if !ok {
			return "", false
		}
		out = append(out, e)
		i++
	}
	return string(out), true
}

var jsonEscapes = map[byte]byte{'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t', '\\': '\\', '"': '"', '/': '/'}

func unhexNibble(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	case c >= 'A' && c <= 'F':
		return c - 'A' + 10
	}
	return 0
}

// buildJWTQuery is jwt_header_query / jwt_payload_query([<path>[,int]]):
// part 0 or 1 of a dotted JWT, base64url-decoded, returned whole as a
// string or queried as json_query does.
func buildJWTQuery(part int) func(convArgs) (convFunc, error) {
	return func(a convArgs) (convFunc, error) {
		asInt, err := checkOutputType(a)
		if err != nil {
			return nil, err
		}
		// HAProxy 2.6.12 queries even without a path, and an empty path
		// finds nothing: without arguments there is never a sample
		// (TestConverterBreadthDifferential), though the documentation
		// promises the decoded part.
		path := a.strs[0]
		return func(v *value) bool {
			if path == "" {
				return false
			}
			seg, ok := jwtPart(v.s, part)
			if !ok {
				return false
			}
			v.s = seg
			if !ub64dec(v) {
				return false
			}
			return jsonQuery(v, path, asInt)
		}, nil
	}
}

// jwtPart is the text before the first '.' (part 0) or between the first
// and the second (part 1; the rest when there is no second dot).
func jwtPart(s string, part int) (string, bool) {
	for i := 0; i < part; i++ {
		dot := indexByte(s, '.')
		if dot < 0 {
			return "", false
		}
		s = s[dot+1:]
	}
	if dot := indexByte(s, '.'); dot >= 0 {
		s = s[:dot]
	}
	return s, true
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
