package check

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// The subset of HAProxy's log-format and sample expressions goha evaluates
// in tcp-check expect rules (on-success, on-error, status-code): literal
// text and res.payload(<offset>,<length>) with the cut_crlf, ltrim, rtrim,
// lower and upper converters, the forms HAProxy's own protocol checks use
// (and hex, for the check expressions of checkvars.go).
// Anything else is refused so that the rule is reported.

// payloadExpr is one res.payload(off,n)[,conv...] expression.
type payloadExpr struct {
	off, n int
	convs  []func([]byte) []byte
}

var payloadRE = regexp.MustCompile(`^res\.payload\(\s*(\d+)\s*,\s*(\d+)\s*\)`)

// parsePayloadExpr reads "res.payload(A,B),conv,...".
func parsePayloadExpr(s string) (payloadExpr, error) {
	m := payloadRE.FindStringSubmatch(s)
	if m == nil {
		return payloadExpr{}, fmt.Errorf("sample expression '%s' not supported (res.payload(<offset>,<length>) is)", s)
	}
	var e payloadExpr
	var err1, err2 error
	e.off, err1 = strconv.Atoi(m[1])
	e.n, err2 = strconv.Atoi(m[2])
	if err1 != nil || err2 != nil || e.off > 1<<30 || e.n > 1<<30 {
		return e, fmt.Errorf("sample expression '%s': offset or length out of range", s)
	}
	rest := s[len(m[0]):]
	for rest != "" {
		if rest[0] != ',' {
			return e, fmt.Errorf("sample expression '%s' not supported", s)
		}
		rest = rest[1:]
		name, tail, _ := strings.Cut(rest, ",")
		if strings.HasPrefix(name, "ltrim(") || strings.HasPrefix(name, "rtrim(") {
			// the argument may hold a comma: take up to the closing paren
			end := strings.IndexByte(rest, ')')
			if end < 0 {
				return e, fmt.Errorf("sample expression '%s' not supported", s)
			}
			name, tail = rest[:end+1], strings.TrimPrefix(rest[end+1:], ",")
			if tail != "" && !strings.HasPrefix(rest[end+1:], ",") {
				return e, fmt.Errorf("sample expression '%s' not supported", s)
			}
		}
		conv, err := payloadConv(name)
		if err != nil {
			return e, err
		}
		e.convs = append(e.convs, conv)
		rest = tail
		if rest != "" {
			rest = "," + rest
		}
	}
	return e, nil
}

func payloadConv(name string) (func([]byte) []byte, error) {
	switch name {
	case "cut_crlf":
		return cutCRLF, nil
	case "lower":
		return bytes.ToLower, nil
	case "upper":
		return bytes.ToUpper, nil
	case "hex":
		return func(b []byte) []byte { return []byte(strings.ToUpper(hex.EncodeToString(b))) }, nil
	}
	for _, kind := range []string{"ltrim", "rtrim"} {
		if arg, ok := strings.CutPrefix(name, kind+"("); ok && strings.HasSuffix(arg, ")") {
			chars := strings.Trim(strings.TrimSuffix(arg, ")"), `'"`)
			if kind == "ltrim" {
				return func(b []byte) []byte { return bytes.TrimLeft(b, chars) }, nil
			}
			return func(b []byte) []byte { return bytes.TrimRight(b, chars) }, nil
		}
	}
	return nil, fmt.Errorf("converter '%s' not supported", name)
}

// eval is the sample on buf; ok=false when the fetch fails (not enough
// data).
func (e payloadExpr) eval(buf []byte) ([]byte, bool) {
	if e.off > len(buf) || e.n > 0 && e.off+e.n > len(buf) {
		return nil, false
	}
	v := buf[e.off:]
	if e.n > 0 {
		v = v[:e.n]
	}
	v = bytes.Clone(v)
	for _, c := range e.convs {
		v = c(v)
	}
	return v, true
}

// parsePayloadFormat compiles a log-format string made of literal text and
// %[res.payload(...)...] expressions; a sample that cannot be fetched
// prints nothing (measured: HAProxy 2.6.12 prints no "-" there).
func parsePayloadFormat(s string) (func([]byte) string, error) {
	type part struct {
		lit  string
		expr *payloadExpr
	}
	var parts []part
	for s != "" {
		i := strings.IndexByte(s, '%')
		if i < 0 {
			parts = append(parts, part{lit: s})
			break
		}
		if i > 0 {
			parts = append(parts, part{lit: s[:i]})
		}
		s = s[i:]
		if !strings.HasPrefix(s, "%[") {
			return nil, errors.New("log-format variables other than %[res.payload(...)] not supported")
		}
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return nil, errors.New("log-format: missing ']'")
		}
		e, err := parsePayloadExpr(s[2:end])
		if err != nil {
			return nil, err
		}
		parts = append(parts, part{expr: &e})
		s = s[end+1:]
	}
	return func(buf []byte) string {
		var b strings.Builder
		for _, p := range parts {
			if p.expr == nil {
				b.WriteString(p.lit)
				continue
			}
			if v, ok := p.expr.eval(buf); ok {
				b.Write(v)
			}
		}
		return cstr([]byte(b.String()))
	}, nil
}

// parseStatusCode compiles a status-code expression: the sample read as
// an integer (its leading digits), 0 when the fetch fails.
func parseStatusCode(s string) (func([]byte) int, error) {
	e, err := parsePayloadExpr(s)
	if err != nil {
		return nil, err
	}
	return func(buf []byte) int {
		v, ok := e.eval(buf)
		if !ok {
			return 0
		}
		n := 0
		for _, c := range v {
			if c < '0' || c > '9' {
				break
			}
			n = n*10 + int(c-'0')
		}
		return n
	}, nil
}
