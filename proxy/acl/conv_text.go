package acl

import (
	"fmt"
	"github.com/goha-lb/goha/proxy/internal/expreplace"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Text-escaping converters: json, url_dec, url_enc (HAProxy 2.6 sample.c
// and http_conv.c).
func init() {
	str := haproxy.SampleStr
	register(map[string]convDef{
		"json":    {in: str, out: str, args: []argKind{argStr}, build: buildJSON},
		"url_dec": {in: str, out: str, args: []argKind{argSInt}, build: buildURLDec},
		"url_enc": {in: str, out: str, args: []argKind{argStr}, build: buildURLEnc},
	})
}

// buildJSON is json(<input-code>): "" and "ascii" read bytes; the utf8
// modes read code points with HAProxy's own decoder (utf8Next), which
// differs from Go's: it takes 5- and 6-byte forms, reports an overlong
// form apart from a bad sequence, and calls U+FFFE and U+FFFF out of
// range. utf8 has no sample on any defect; utf8s drops the defective
// sequence; utf8p keeps an overlong form's code point and has no sample
// on the rest; utf8ps keeps the overlong ones and drops the rest. A code
// point above U+FFFF (no \u form) is no sample in utf8 and utf8p and is
// dropped in utf8s and utf8ps.
func buildJSON(a convArgs) (convFunc, error) {
	var skip, lenient bool
	switch a.strs[0] {
	case "", "ascii":
		return func(v *value) bool { v.s = jsonEscape(v.s); return true }, nil
	case "utf8":
	case "utf8s":
		skip = true
	case "utf8p":
		lenient = true
	case "utf8ps":
		skip, lenient = true, true
	default:
		return nil, fmt.Errorf("Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
	}
	bad := utf8Overlong | utf8InvRange | utf8BadSeq
	if lenient {
		bad = utf8InvRange | utf8BadSeq
	}
	return func(v *value) bool {
		var b strings.Builder
		for s := v.s; s != ""; {
			c, n, code := utf8Next(s)
			s = s[n:]
			if code&bad != 0 || c > 0xffff {
				if !skip {
					return false
				}
				continue
			}
			jsonPut(&b, c)
		}
		v.s = b.String()
		return true
	}, nil
}

// The defects utf8Next reports (HAProxy's UTF8_CODE_*).
const (
	utf8Overlong = 1 << iota
	utf8InvRange
	utf8BadSeq
)

// utf8Next decodes the first code point of s (not empty) as HAProxy's
// utf8_next: a lead byte announces 1 to 6 bytes; a stray continuation
// byte, 0xfe/0xff or a sequence the string is too short for is a bad
// one-byte sequence; a lead followed by a non-continuation byte is a bad
// sequence as long as the bytes read so far (the next byte starts
// again). It returns the code point, the bytes consumed and the defects.
func utf8Next(s string) (c uint32, n int, code int) {
	lead := s[0]
	var dec int
	switch {
	case lead < 0x80:
		return uint32(lead), 1, 0
	case lead < 0xc0 || lead >= 0xfe:
		return uint32(lead), 1, utf8BadSeq
	case lead < 0xe0:
		c, dec = uint32(lead&0x1f), 1
	case lead < 0xf0:
		c, dec = uint32(lead&0x0f), 2
	case lead < 0xf8:
		c, dec = uint32(lead&0x07), 3
	case lead < 0xfc:
		c, dec = uint32(lead&0x03), 4
	default:
		c, dec = uint32(lead&0x01), 5
	}
	if len(s) < dec+1 {
		return uint32(lead), 1, utf8BadSeq
	}
	n = 1
	for ; dec > 0; dec-- {
		if s[n]&0xc0 != 0x80 {
			return c, n, utf8BadSeq
		}
		c = c<<6 | uint32(s[n]&0x3f)
		n++
	}
	// overlong: a shorter form exists (HAProxy checks up to 4 bytes' range)
	if c <= 0x7f && n > 1 || c >= 0x80 && c <= 0x7ff && n > 2 ||
		c >= 0x800 && c <= 0xffff && n > 3 || c >= 0x10000 && c <= 0x1fffff && n > 4 {
		code |= utf8Overlong
	}
	if c >= 0xd800 && c <= 0xdfff || c >= 0xfffe && c <= 0xffff {
		code |= utf8InvRange
	}
	return c, n, code
}

// jsonEscape escapes bytes (json's ascii mode), each by jsonPut.
func jsonEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		jsonPut(&b, uint32(s[i]))
	}
	return b.String()
}

// jsonPut writes c as HAProxy's sample_conv_json: the two-character
// escapes of JSON (and "\/"), \u00XX for what is not printable ASCII
// (C's isprint), \uXXXX above 0xff.
func jsonPut(b *strings.Builder, c uint32) {
	switch c {
	case '"':
		b.WriteString(`\"`)
	case '\\':
		b.WriteString(`\\`)
	case '/':
		b.WriteString(`\/`)
	case '\b':
		b.WriteString(`\b`)
	case '\f':
		b.WriteString(`\f`)
	case '\r':
		b.WriteString(`\r`)
	case '\n':
		b.WriteString(`\n`)
	case '\t':
		b.WriteString(`\t`)
	default:
		if c < 0x20 || c >= 0x7f {
			fmt.Fprintf(b, `\u%04x`, c)
		} else {
			b.WriteByte(byte(c))
		}
	}
}

// buildURLDec is url_dec([<in_form>]): %XX decoded, '+' a space after a
// '?' (everywhere with a non-zero in_form); a bad %-escape is no sample.
// Decoding stops at a NUL byte as HAProxy's C string loop does.
func buildURLDec(a convArgs) (convFunc, error) {
	form := a.ints[0] != 0
	return func(v *value) bool {
		s, inForm := v.s, form
		out := make([]byte, 0, len(s))
		for i := 0; i < len(s) && s[i] != 0; i++ {
			switch c := s[i]; c {
			case '+':
				if inForm {
					c = ' '
				}
				out = append(out, c)
			case '%':
				if i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2]) {
					return false
				}
				out = append(out, expreplace.Unhex(s[i+1])<<4|expreplace.Unhex(s[i+2]))
				i += 2
			case '?':
				inForm = true
				out = append(out, c)
			default:
				out = append(out, c)
			}
		}
		v.s = string(out)
		return true
	}, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// buildURLEnc is url_enc([<enc_type>]) with the only type, "query": every
// byte but RFC 3986's unreserved characters becomes %XX.
func buildURLEnc(a convArgs) (convFunc, error) {
	if a.has(0) && a.strs[0] != "query" {
		return nil, fmt.Errorf("Unexpected encode type. Allowed value is 'query'")
	}
	return func(v *value) bool {
		var b strings.Builder
		for i := 0; i < len(v.s); i++ {
			c := v.s[i]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("-._~", c) >= 0 {
				b.WriteByte(c)
				continue
			}
			fmt.Fprintf(&b, "%%%02X", c)
		}
		v.s = b.String()
		return true
	}, nil
}

// Small string converters of HAProxy 2.6: iif, ltrim, rtrim, cut_crlf,
// htonl.
func init() {
	str := haproxy.SampleStr
	register(map[string]convDef{
		"iif": {in: haproxy.SampleBool, out: str, args: []argKind{argStr, argStr}, min: 2, build: func(a convArgs) (convFunc, error) {
			yes, no := a.strs[0], a.strs[1]
			return func(v *value) bool {
				v.s = no
				if v.i != 0 {
					v.s = yes
				}
				return true
			}, nil
		}},
		"ltrim": {in: str, out: str, args: []argKind{argStr}, min: 1, keep: true, build: func(a convArgs) (convFunc, error) {
			cut := a.strs[0]
			return func(v *value) bool {
				for v.s != "" && strings.IndexByte(cut, v.s[0]) >= 0 { // bytes, as HAProxy's memchr
					v.s = v.s[1:]
				}
				return true
			}, nil
		}},
		"rtrim": {in: str, out: str, args: []argKind{argStr}, min: 1, keep: true, build: func(a convArgs) (convFunc, error) {
			cut := a.strs[0]
			return func(v *value) bool {
				for v.s != "" && strings.IndexByte(cut, v.s[len(v.s)-1]) >= 0 {
					v.s = v.s[:len(v.s)-1]
				}
				return true
			}, nil
		}},
		"cut_crlf": {in: str, out: str, keep: true, build: fixed(func(v *value) bool {
			if i := strings.IndexAny(v.s, "\r\n"); i >= 0 {
				v.s = v.s[:i]
			}
			return true
		})},
		"htonl": {in: haproxy.SampleSInt, out: haproxy.SampleBin, build: fixed(func(v *value) bool {
			n := uint32(v.i)
			v.s = string([]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
			return true
		})},
	})
}
