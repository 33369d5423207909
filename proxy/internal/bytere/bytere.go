// Package bytere runs Go regular expressions over bytes the way HAProxy
// 2.6's PCRE2 (compiled without UTF mode, default character tables) does:
// every byte is one character. A byte at or above 0x80 is not a letter,
// digit or space and has no case; "." matches it alone, not the UTF-8
// sequence it may start.
//
// It maps each such byte, in the pattern (raw, or written \xHH or
// \x{HH}) and in the subject, to a private-use rune (U+E080-U+E0FF, no
// case, no class), runs Go's regexp, and gives match indexes in the
// caller's bytes. Subjects of ASCII bytes only are matched as they are.
//
// Differences left with PCRE: "$" without (?m) matches only at the very
// end (PCRE also before a final "\n"); octal escapes above \177 name
// U+0080-U+00FF, which no byte of a subject becomes.
package bytere

import (
	"regexp"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// base is the private-use rune a byte 0x80-0xff becomes, plus the byte.
const base = 0xE000

// Regexp is a compiled byte-wise expression.
type Regexp struct {
	re   *regexp.Regexp
	expr string

	notBOLOnce sync.Once
	notBOL     *Regexp
}

// Compile compiles expr (Go syntax, read byte-wise as above).
func Compile(expr string) (*Regexp, error) {
	re, err := regexp.Compile(widenPattern(expr))
	if err != nil {
		return nil, err
	}
	return &Regexp{re: re, expr: expr}, nil
}

// MustCompile is Compile that panics on an error.
func MustCompile(expr string) *Regexp {
	re, err := Compile(expr)
	if err != nil {
		panic(err)
	}
	return re
}

// NotBOL is r as PCRE runs it with REG_NOTBOL (a subject that is not the
// start of a line: HAProxy's regsub after its first replacement): a '^'
// outside brackets never matches; \A still does. Under (?m), where '^'
// could match after a newline, it never matches either (a difference).
func (r *Regexp) NotBOL() *Regexp {
	r.notBOLOnce.Do(func() {
		r.notBOL = r
		if p := noCaret(r.expr); p != r.expr {
			if re, err := Compile(p); err == nil {
				r.notBOL = re
			}
		}
	})
	return r.notBOL
}

// noCaret is p with each '^' assertion (not escaped, not in brackets)
// made a class that matches nothing.
func noCaret(p string) string {
	var b strings.Builder
	inClass := false
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
			// a ']' right after '[' or '[^' is a member
			if i+1 < len(p) && p[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(p) && p[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == '^':
			b.WriteString(`[^\x00-\x{10FFFF}]`)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

// String is the expression as given.
func (r *Regexp) String() string { return r.expr }

// NumSubexp is the number of capture groups.
func (r *Regexp) NumSubexp() int { return r.re.NumSubexp() }

// MatchString reports whether s holds a match.
func (r *Regexp) MatchString(s string) bool {
	if ascii(s) {
		return r.re.MatchString(s)
	}
	return r.re.MatchString(widen(s))
}

// Match is MatchString over b.
func (r *Regexp) Match(b []byte) bool {
	if asciiBytes(b) {
		return r.re.Match(b)
	}
	return r.re.MatchString(widen(string(b)))
}

// FindStringSubmatchIndex is regexp's, with indexes into s.
func (r *Regexp) FindStringSubmatchIndex(s string) []int {
	if ascii(s) {
		return r.re.FindStringSubmatchIndex(s)
	}
	return narrow(s, r.re.FindStringSubmatchIndex(widen(s)))
}

// FindSubmatchIndex is regexp's, with indexes into b.
func (r *Regexp) FindSubmatchIndex(b []byte) []int {
	if asciiBytes(b) {
		return r.re.FindSubmatchIndex(b)
	}
	s := string(b)
	return narrow(s, r.re.FindStringSubmatchIndex(widen(s)))
}

func ascii(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func asciiBytes(b []byte) bool {
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// widen is s with every byte >= 0x80 as its private-use rune.
func widen(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < utf8.RuneSelf {
			b.WriteByte(c)
		} else {
			b.WriteRune(base + rune(c))
		}
	}
	return b.String()
}

// narrow turns indexes into widen(s) into indexes into s (-1 stays).
func narrow(s string, m []int) []int {
	for k, w := range m {
		if w <= 0 {
			continue
		}
		i, pos := 0, 0
		for ; i < len(s) && pos < w; i++ {
			if s[i] < utf8.RuneSelf {
				pos++
			} else {
				pos += 3 // utf8.RuneLen(base+0x80..0xff)
			}
		}
		m[k] = i
	}
	return m
}

// widenPattern maps the pattern's raw bytes >= 0x80 and its \xHH and
// \x{HH} escapes of 0x80-0xff to the runes widen gives those bytes.
func widenPattern(p string) string {
	if ascii(p) && !strings.Contains(p, `\x`) {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c >= utf8.RuneSelf:
			b.WriteString(`\x{` + strconv.FormatInt(base+int64(c), 16) + `}`)
		case c == '\\' && i+1 < len(p) && p[i+1] == 'x':
			v, n := hexEscape(p[i+2:])
			if n > 0 && v >= 0x80 && v <= 0xff {
				b.WriteString(`\x{` + strconv.FormatInt(base+int64(v), 16) + `}`)
				i += 1 + n
				continue
			}
			b.WriteString(`\x`)
			i++
		case c == '\\' && i+1 < len(p):
			b.WriteByte(c)
			b.WriteByte(p[i+1])
			i++
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// hexEscape reads what follows `\x`: two hex digits, or {hex digits};
// n is how many bytes that took (0: neither form).
func hexEscape(s string) (v int64, n int) {
	if strings.HasPrefix(s, "{") {
		end := strings.IndexByte(s, '}')
		if end < 2 {
			return 0, 0
		}
		x, err := strconv.ParseInt(s[1:end], 16, 32)
		if err != nil {
			return 0, 0
		}
		return x, end + 1
	}
	if len(s) < 2 {
		return 0, 0
	}
	x, err := strconv.ParseUint(s[:2], 16, 8)
	if err != nil {
		return 0, 0
	}
	return int64(x), 2
}
