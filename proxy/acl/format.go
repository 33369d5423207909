package acl

import (
	"encoding/binary"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// CompileFormat compiles a log-format string made of literal text, "%%"
// and "%[<sample expression>]" samples, the form header values of
// http-request set-header/add-header take. A sample with no value writes
// nothing. Other log-format variables (%ci, %{+Q}[...], ...) are refused:
// the caller reports them as unsupported. The function returns a new
// string each time (see CompileAppendFormat for one that allocates
// nothing).
func CompileFormat(text string) (func(*proxy.RequestInfo) string, error) {
	f, err := compileFormat(text)
	if err != nil {
		return nil, err
	}
	return f.text, nil
}

// CompileAppendFormat is CompileFormat for a caller that has a buffer:
// the function appends the text to dst, and allocates nothing once dst
// has room.
func CompileAppendFormat(text string) (func(dst []byte, r *proxy.RequestInfo) []byte, error) {
	f, err := compileFormat(text)
	if err != nil {
		return nil, err
	}
	return f.appender(), nil
}

// CompileFormatBoth is CompileFormat and CompileAppendFormat of one
// compile (a map file it names is read once), for a caller that uses
// both.
func CompileFormatBoth(text string) (func(*proxy.RequestInfo) string, func(dst []byte, r *proxy.RequestInfo) []byte, error) {
	f, err := compileFormat(text)
	if err != nil {
		return nil, nil, err
	}
	return f.text, f.appender(), nil
}

// format is a compiled log-format string: its parts in order, each a
// literal or a sample.
type format struct {
	parts []formatPart
	// guess is the room text starts with: the literals and some for
	// each sample (0 for a sample alone: its text is sized by append).
	guess int
}

type formatPart struct {
	lit  string
	expr *Expr
}

func compileFormat(text string) (*format, error) {
	f := &format{}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			f.parts = append(f.parts, formatPart{lit: lit.String()})
			f.guess += lit.Len()
			lit.Reset()
		}
	}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c != '%' {
			lit.WriteByte(c)
			continue
		}
		switch {
		case strings.HasPrefix(text[i:], "%%"):
			lit.WriteByte('%')
			i++
		case strings.HasPrefix(text[i:], "%["):
			end := closingBracket(text[i:])
			if end < 0 {
				return nil, fmt.Errorf("missing ']' after %q", text[i:])
			}
			e, err := CompileExpr(haproxy.ParseSample(text[i+2 : i+end]))
			if err != nil {
				return nil, err
			}
			flush()
			f.parts = append(f.parts, formatPart{expr: e})
			i += end
		default:
			return nil, fmt.Errorf("log-format variable %q is not supported by goha", text[i:])
		}
	}
	flush()
	if len(f.parts) > 1 {
		f.guess += 16 * len(f.parts)
	}
	return f, nil
}

// append appends the text of the format for r to dst.
func (f *format) append(dst []byte, r *proxy.RequestInfo) []byte {
	for i := range f.parts {
		p := &f.parts[i]
		if p.expr == nil {
			dst = append(dst, p.lit...)
			continue
		}
		n := len(dst)
		var ok, plain bool
		if p.expr.one != nil {
			dst, ok, plain = p.expr.appendOne(dst, r)
		} else {
			dst, ok = p.expr.AppendText(dst, r)
		}
		if ok && !plain {
			dst = httpEncodeFrom(dst, n)
		}
	}
	return dst
}

// appender is f.append, or for a format of one single-valued sample
// alone (%[src], %[path,lower], %[var(txn.x)]) that sample's appendValue:
// the same text without the walk of the parts.
func (f *format) appender() func(dst []byte, r *proxy.RequestInfo) []byte {
	if len(f.parts) == 1 && f.parts[0].expr != nil && f.parts[0].expr.one != nil {
		return f.parts[0].expr.appendValue
	}
	return f.append
}

// appendValue is append for a format of e alone, e single-valued.
func (e *Expr) appendValue(dst []byte, r *proxy.RequestInfo) []byte {
	n := len(dst)
	dst, ok, plain := e.appendOne(dst, r)
	if ok && !plain {
		dst = httpEncodeFrom(dst, n)
	}
	return dst
}

// text is the text of the format for r, a new string.
func (f *format) text(r *proxy.RequestInfo) string {
	var dst []byte
	if f.guess > 0 {
		dst = make([]byte, 0, f.guess)
	}
	return bstr(f.append(dst, r)) // nothing else holds the bytes
}

// httpEncodeFrom encodes b[from:] in place as httpEncode does (the
// sample text just appended).
func httpEncodeFrom(b []byte, from int) []byte {
	if httpSafeBytes(b[from:]) {
		return b
	}
	raw := string(b[from:])
	var e strings.Builder
	httpEncode(&e, raw)
	return append(b[:from], e.String()...)
}

// httpEncode writes s with the bytes a header field may not carry
// (0x00-0x08, 0x0a-0x1f, 0x7f) as %XX, as HAProxy encodes a sample in
// the log-format strings of an HTTP proxy (http_encode_map): a sample
// can never split a header or a reply. (HAProxy leaves samples as they
// are in a TCP proxy's formats; goha encodes there too.)
func httpEncode(b *strings.Builder, s string) {
	const hexDigits = "0123456789ABCDEF"
	start := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !httpUnsafe(c) {
			continue
		}
		b.WriteString(s[start:i])
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
		start = i + 1
	}
	b.WriteString(s[start:])
}

// httpUnsafe: c is written %XX by httpEncode.
func httpUnsafe(c byte) bool { return c <= 0x08 || c >= 0x0a && c <= 0x1f || c == 0x7f }

// httpSafeBytes is httpSafe on bytes, eight at a time: a word with no
// byte below 0x20 and none 0x7f is safe (a tab, below 0x20 but safe,
// sends its word to the byte test).
func httpSafeBytes(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		del := x ^ 0x7f*ones
		if (x-0x20*ones)&^x&highs|(del-ones)&^del&highs != 0 && !httpSafe(bstr(b[i:i+8])) {
			return false
		}
	}
	return httpSafe(bstr(b[i:]))
}

// httpSafe: httpEncode would write s unchanged.
func httpSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		if httpUnsafe(s[i]) {
			return false
		}
	}
	return true
}

// closingBracket is the index of the ']' closing "%[" at the start of s,
// outside the expression's parentheses (a regsub's "[a-z]" stays in).
func closingBracket(s string) int {
	depth := 0
	for i := 2; i < len(s); i++ {
		switch s[i] {
		case '(':
			depth++
		case ')':
			depth--
		case ']':
			if depth <= 0 {
				return i
			}
		}
	}
	return -1
}

// FormatLayer4 says whether every %[...] sample of a log-format string
// has a value as soon as a connection is accepted (layer-4 fetches and
// variables), as the tcp-request rules goha runs need.
func FormatLayer4(text string) bool {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return false
		}
		if !Layer4(haproxy.ParseSample(text[i+2 : i+end])) {
			return false
		}
		text = text[i+end:]
	}
	return true
}

// FormatReadsResPayload says whether a %[...] sample of a log-format
// text reads the response's bytes (res.payload).
func FormatReadsResPayload(text string) bool {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return false
		}
		if SampleReadsResPayload(haproxy.ParseSample(text[i+2 : i+end])) {
			return true
		}
		text = text[i+end:]
	}
	return false
}

// FormatUnavailable is HAProxy's message for the first %[...] sample of
// a log-format text whose fetch needs what the place p does not have, or
// "" (see Place).
func FormatUnavailable(text string, p Place) string {
	for i := strings.Index(text, "%["); i >= 0; i = strings.Index(text, "%[") {
		end := closingBracket(text[i:])
		if end < 0 {
			return ""
		}
		expr := text[i+2 : i+end]
		if f, ok := fetches[haproxy.ParseSample(expr).Fetch.Name]; ok && !p.has(f.use) {
			return unavailableMsg(expr+"]", f.use)
		}
		text = text[i+end:]
	}
	return ""
}
