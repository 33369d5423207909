package acl

import (
	"fmt"
	"github.com/goha-lb/goha/proxy/internal/expreplace"
	"strings"
	"unicode/utf8"

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

// buildJSON is json(<input-code>): "" and "ascii" read bytes, "utf8"
// reads UTF-8 and has no sample on an invalid sequence or a code point
// above U+FFFF. The skipping and permissive modes (utf8s, utf8p, utf8ps)
// depend on how HAProxy's decoder resynchronises: refused (not
// implemented).
func buildJSON(a convArgs) (convFunc, error) {
	switch a.strs[0] {
	case "", "ascii":
		return func(v *value) bool { v.s = jsonEscape(v.s, false); return true }, nil
	case "utf8":
		return func(v *value) bool {
			if !utf8.ValidString(v.s) {
				return false
			}
			for _, r := range v.s {
				if r > 0xffff {
					return false
				}
			}
			v.s = jsonEscape(v.s, true)
			return true
		}, nil
	case "utf8s", "utf8p", "utf8ps":
		return nil, fmt.Errorf("input code '%s' is not supported by goha", a.strs[0])
	}
	return nil, fmt.Errorf("Unexpected input code type. Allowed value are 'ascii', 'utf8', 'utf8s', 'utf8p' and 'utf8ps'")
}

// jsonEscape escapes as HAProxy's sample_conv_json: the two-character
// escapes of JSON (and "\/"), \u00XX for what is not printable ASCII.
func jsonEscape(s string, runes bool) string {
	var b strings.Builder
	put := func(c rune) {
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
				fmt.Fprintf(&b, `\u%04x`, c)
			} else {
				b.WriteByte(byte(c))
			}
		}
	}
	if runes {
		for _, r := range s {
			put(r)
		}
	} else {
		for i := 0; i < len(s); i++ {
			put(rune(s[i]))
		}
	}
	return b.String()
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
