package acl

import (
	"fmt"
	"github.com/goha-lb/goha/proxy/internal/expreplace"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/bytere"
)

// String converters (HAProxy 2.6 sample.c), with HAProxy's edge cases:
// lower/upper change ASCII letters only; field returns no sample when the
// field does not exist but word returns an empty one; bytes past the end
// is an empty sample.
func init() {
	str, sint, bin := haproxy.SampleStr, haproxy.SampleSInt, haproxy.SampleBin
	register(map[string]convDef{
		"lower":  {in: str, out: str, rbuild: caseConv('A'), keep: true},
		"upper":  {in: str, out: str, rbuild: caseConv('a'), keep: true},
		"length": {in: str, out: sint, build: fixed(func(v *value) bool { v.i = int64(len(v.s)); return true })},
		"bytes":  {in: bin, out: bin, args: []argKind{argSInt, argSInt}, min: 1, build: buildBytes, keep: true},
		"field":  {in: str, out: str, args: []argKind{argSInt, argStr, argSInt}, min: 2, build: buildField(field), keep: true},
		"word":   {in: str, out: str, args: []argKind{argSInt, argStr, argSInt}, min: 2, build: buildField(word), keep: true},
		"regsub": {in: str, out: str, args: []argKind{argStr, argStr, argStr}, min: 2, build: buildRegsub, keep: true},
		"concat": {in: str, out: str, args: []argKind{argStr, argStr, argStr}, min: 1, rbuild: buildConcat},
	})
}

// caseConv is lower (from 'A') or upper (from 'a'): ASCII letters only.
// A string that changes is written to the transaction's scratch, so the
// converter allocates nothing per request.
func caseConv(from byte) func(convArgs) (convFunc, reqConvFunc, error) {
	return func(convArgs) (convFunc, reqConvFunc, error) {
		return nil, func(r *proxy.RequestInfo, v *value) bool {
			v.s = flipCase(r, v.s, from)
			return true
		}, nil
	}
}

// flipCase flips the case of the letters from..from+25 of s.
func flipCase(r *proxy.RequestInfo, s string, from byte) string {
	i := 0
	for i < len(s) && (s[i] < from || s[i] > from+25) {
		i++
	}
	if i == len(s) {
		return s
	}
	var b []byte
	if r != nil {
		b = r.Scratch(len(s))
	} else {
		b = make([]byte, len(s))
	}
	copy(b, s)
	for ; i < len(b); i++ {
		if b[i] >= from && b[i] <= from+25 {
			b[i] ^= 0x20
		}
	}
	return bstr(b)
}

func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 'A' && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if b[j] >= 'A' && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// buildBytes is bytes(<offset>[,<length>]): an offset at or past the end
// gives an empty sample.
func buildBytes(a convArgs) (convFunc, error) {
	off, n, hasLen := a.ints[0], a.ints[1], a.has(1)
	return func(v *value) bool {
		// HAProxy 2.6 compares the lengths as unsigned: a negative
		// offset is past the end (an empty sample), a negative length is
		// longer than the rest (ignored)
		if off < 0 || int64(len(v.s)) <= off {
			v.s = ""
			return true
		}
		v.s = v.s[off:]
		if hasLen && n >= 0 && n < int64(len(v.s)) {
			v.s = v.s[:n]
		}
		return true
	}, nil
}

// buildField checks field's and word's arguments as HAProxy's
// sample_conv_field_check does.
func buildField(f func(s string, idx int64, seps string, count int64) (string, bool)) func(convArgs) (convFunc, error) {
	return func(a convArgs) (convFunc, error) {
		if a.ints[0] == 0 {
			return nil, fmt.Errorf("Unexpected value 0 for index")
		}
		if a.strs[1] == "" {
			return nil, fmt.Errorf("Empty separators list")
		}
		idx, seps, count := a.ints[0], a.strs[1], int64(1)
		if a.has(2) {
			count = a.ints[2]
		}
		return func(v *value) bool {
			s, ok := f(v.s, idx, seps, count)
			v.s = s
			return ok
		}, nil
	}
}

// field is HAProxy's field(<index>,<delimiters>[,<count>]): fields are
// counted from 1 (from the end when negative); count > 1 takes that many
// fields with their delimiters, count <= 0 takes the rest of the string.
// A field that does not exist is no sample.
func field(s string, idx int64, seps string, count int64) (string, bool) {
	isSep := func(c byte) bool { return strings.IndexByte(seps, c) >= 0 }
	if idx < 0 {
		f, start, end := int64(-1), len(s), len(s)
		for ; start > 0; start-- {
			if !isSep(s[start-1]) {
				continue
			}
			if f == idx {
				if count == 1 {
					return s[start:end], true
				}
				if count > 1 {
					count--
				}
			} else {
				end = start - 1
				f--
			}
		}
		return s[start:end], f == idx
	}
	f, start, end := int64(1), 0, 0
	for ; end < len(s); end++ {
		if !isSep(s[end]) {
			continue
		}
		if f == idx {
			if count == 1 {
				return s[start:end], true
			}
			if count > 1 {
				count--
			}
		} else {
			start = end + 1
			f++
		}
	}
	return s[start:end], f == idx
}

// word is HAProxy's word(<index>,<delimiters>[,<count>]): like field, but
// runs of delimiters count as one and a missing word is an empty sample.
func word(s string, idx int64, seps string, count int64) (string, bool) {
	isSep := func(c byte) bool { return strings.IndexByte(seps, c) >= 0 }
	w, inWord := int64(0), false
	if idx < 0 {
		start, end := len(s), len(s)
		for ; start > 0; start-- {
			sep := isSep(s[start-1])
			switch {
			case !inWord && !sep:
				if w != idx {
					w--
					end = start
				}
				inWord = true
			case inWord && sep:
				if w == idx {
					if count == 1 {
						return s[start:end], true
					}
					if count > 1 {
						count--
					}
				}
				inWord = false
			}
		}
		if w != idx {
			return "", true
		}
		return s[start:end], true
	}
	start, end := 0, 0
	for ; end < len(s); end++ {
		sep := isSep(s[end])
		switch {
		case !inWord && !sep:
			if w != idx {
				w++
				start = end
			}
			inWord = true
		case inWord && sep:
			if w == idx {
				if count == 1 {
					return s[start:end], true
				}
				if count > 1 {
					count--
				}
			}
			inWord = false
		}
	}
	if w != idx {
		return "", true
	}
	return s[start:end], true
}

// buildRegsub is regsub(<regex>,<subst>[,<flags>]) with RE2: a regex RE2
// cannot compile (PCRE-only constructs) is refused. Flags are i and g,
// as HAProxy checks them.
func buildRegsub(a convArgs) (convFunc, error) {
	expr, global := a.strs[0], false
	for _, f := range a.strs[2] {
		switch f {
		case 'i':
			expr = "(?i)" + expr
		case 'g':
			global = true
		default:
			return nil, fmt.Errorf("invalid regex flag '%c', only 'i' and 'g' are supported", f)
		}
	}
	re, err := bytere.Compile(expr)
	if err != nil {
		return nil, fmt.Errorf("regex '%s' is not supported by goha (RE2): %v", a.strs[0], err)
	}
	subst := a.strs[1]
	return func(v *value) bool { v.s = regsub(re, v.s, subst, global); return true }, nil
}

// regsub replaces the first match (every match with g) as HAProxy's
// sample_conv_regsub does: an empty match copies the next byte and moves
// past it; without g only a match at the start of the remaining input
// counts after the first round.
func regsub(re *bytere.Regexp, s, subst string, global bool) string {
	var out strings.Builder
	start, notBOL := 0, false
	for {
		var m []int
		switch {
		case !notBOL:
			m = re.FindStringSubmatchIndex(s[start:])
		case global: // REG_NOTBOL: '^' no longer matches
			m = re.NotBOL().FindStringSubmatchIndex(s[start:])
		}
		if m == nil {
			out.WriteString(s[start:])
			break
		}
		out.WriteString(s[start : start+m[0]])
		expreplace.Write(&out, s[start:], subst, m)
		if start >= len(s) {
			break
		}
		adv := m[1]
		if adv == 0 {
			out.WriteByte(s[start])
			adv++
		}
		start += adv
		notBOL = true
		if start > len(s) {
			break
		}
	}
	return out.String()
}

// buildConcat is concat(<start>[,<var>[,<end>]]): the strings, and the
// variable as a string when it is set, are appended after the sample.
func buildConcat(a convArgs) (convFunc, reqConvFunc, error) {
	pre, post := a.strs[0], a.strs[2]
	if a.strs[1] == "" {
		return func(v *value) bool { v.s = v.s + pre + post; return true }, nil, nil
	}
	ref, err := argVar(a.strs[1])
	if err != nil {
		return nil, nil, err
	}
	return nil, func(r *proxy.RequestInfo, v *value) bool {
		mid, ok := loadVarAs(r, ref, haproxy.SampleStr)
		if !ok {
			mid.s = ""
		}
		v.s = v.s + pre + mid.s + post
		return true
	}, nil
}
