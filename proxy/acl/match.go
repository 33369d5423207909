package acl

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"regexp/syntax"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/internal/bytere"
)

// defaultMatch is the method of an ACL without -m nor a keyword suffix:
// HAProxy's default for the sample's type.
func defaultMatch(t haproxy.SampleType) haproxy.MatchMethod {
	switch t {
	case haproxy.SampleSInt:
		return haproxy.MatchInt
	case haproxy.SampleIPv4, haproxy.SampleIPv6:
		return haproxy.MatchIP
	case haproxy.SampleBool:
		return haproxy.MatchBool
	}
	return haproxy.MatchStr
}

// matchInput is the sample type a method reads: the engine casts the
// converted sample to it (HAProxy's matchers take a typed sample).
func matchInput(m haproxy.MatchMethod) haproxy.SampleType {
	switch m {
	case haproxy.MatchFound:
		return haproxy.SampleAny
	case haproxy.MatchBool:
		return haproxy.SampleBool
	case haproxy.MatchInt:
		return haproxy.SampleSInt
	case haproxy.MatchIP:
		return haproxy.SampleAddr
	case haproxy.MatchBin:
		return haproxy.SampleBin
	}
	return haproxy.SampleStr
}

// matchBuilder builds the test of one sample value against the patterns;
// ci is -i (ignore case).
type matchBuilder func(pats []string, ci bool) (func(string) bool, error)

// matchers are the match methods the engine evaluates.
var matchers = map[haproxy.MatchMethod]matchBuilder{
	haproxy.MatchFound: func([]string, bool) (func(string) bool, error) {
		return func(string) bool { return true }, nil
	},
	// bool: the sample is true (non-zero); patterns are not read.
	haproxy.MatchBool: func([]string, bool) (func(string) bool, error) {
		return func(v string) bool { return v != "0" }, nil
	},
	haproxy.MatchStr: exactMatch,
	haproxy.MatchBeg: strMatch(strings.HasPrefix, hasPrefixFold),
	haproxy.MatchEnd: strMatch(strings.HasSuffix, hasSuffixFold),
	haproxy.MatchSub: strMatch(strings.Contains, containsFold),
	haproxy.MatchDir: strMatch(func(v, p string) bool { return delimited(v, p, dirDelims) }, nil),
	haproxy.MatchDom: strMatch(func(v, p string) bool { return delimited(v, p, domDelims) }, nil),
	haproxy.MatchReg: regMatch,
	haproxy.MatchInt: func(pats []string, _ bool) (func(string) bool, error) { return intMatcher(pats) },
	haproxy.MatchLen: lenMatch,
	haproxy.MatchIP:  ipMatch,
	haproxy.MatchBin: binMatch,
}

// binMatch is -m bin: the bytes equal one pattern, written in hex (case
// is never ignored).
func binMatch(pats []string, _ bool) (func(string) bool, error) {
	ps := make([]string, len(pats))
	for i, p := range pats {
		b, err := hex.DecodeString(p)
		if err != nil {
			return nil, fmt.Errorf("'%s' is not a valid hex string", p)
		}
		ps[i] = string(b)
	}
	return func(v string) bool {
		for _, p := range ps {
			if v == p {
				return true
			}
		}
		return false
	}, nil
}

// matcher builds the test of one value against the patterns with an ACL
// matching method.
func matcher(method haproxy.MatchMethod, pats []string, ci bool) (func(string) bool, error) {
	build, ok := matchers[method]
	if !ok {
		return nil, fmt.Errorf("match method %s", method)
	}
	return build(pats, ci)
}

func regMatch(pats []string, ci bool) (func(string) bool, error) {
	var res []*bytere.Regexp
	var pres []string
	for _, p := range pats {
		if ci {
			p = "(?i)" + p
		}
		re, err := bytere.Compile(p)
		if err != nil {
			return nil, err
		}
		res = append(res, re)
		pres = append(pres, anchoredPrefix(p))
	}
	return func(v string) bool {
		for i, re := range res {
			if strings.HasPrefix(v, pres[i]) && re.MatchString(v) {
				return true
			}
		}
		return false
	}, nil
}

// anchoredPrefix is the text every subject a regex p matches starts with,
// when p begins with ^ and literal ASCII characters whose case counts
// (^/static/.*: "/static/"), else "". A subject without it is refused
// before the regexp machinery runs: Go's regexp looks for a literal prefix
// only in unanchored patterns.
func anchoredPrefix(p string) string {
	t, err := syntax.Parse(p, syntax.Perl)
	if err != nil || t.Op != syntax.OpConcat || len(t.Sub) < 2 ||
		t.Sub[0].Op != syntax.OpBeginText || t.Sub[1].Op != syntax.OpLiteral ||
		t.Sub[1].Flags&syntax.FoldCase != 0 {
		return ""
	}
	for _, r := range t.Sub[1].Rune {
		if r >= utf8.RuneSelf {
			return "" // (an invalid byte of a subject reads as U+FFFD)
		}
	}
	return string(t.Sub[1].Rune)
}

// lenMatch is -m len: the sample's length against HAProxy's integer
// patterns, operators included (pat_parse_int, as for -m int).
func lenMatch(pats []string, _ bool) (func(string) bool, error) {
	f, err := intRanges(pats)
	if err != nil {
		return nil, err
	}
	return func(v string) bool { return f(int64(len(v))) }, nil
}

// ipMatch is ipNets on the text of an address.
func ipMatch(pats []string, _ bool) (func(string) bool, error) {
	f, err := ipNets(pats)
	if err != nil {
		return nil, err
	}
	return func(v string) bool {
		a := value{t: haproxy.SampleStr, s: v} // c_str2addr
		return strToAddr(&a) && f(a.a)
	}, nil
}

// Delimiters of HAProxy's dir and dom matches (pattern.c match_word): a
// dir part ends at '/' or '?', a domain part also at '.' or ':'.
const (
	dirDelims = "/?"
	domDelims = "/?.:"
)

// delimited reports whether p, without its leading and trailing
// delimiters, occurs in v as whole delimited parts (HAProxy's dir and dom
// matches).
func delimited(v, p, delims string) bool {
	p = strings.Trim(p, delims)
	if p == "" {
		return false
	}
	isDelim := func(c byte) bool { return strings.IndexByte(delims, c) >= 0 }
	for i := 0; i+len(p) <= len(v); i++ {
		if v[i:i+len(p)] != p {
			continue
		}
		if (i == 0 || isDelim(v[i-1])) && (i+len(p) == len(v) || isDelim(v[i+len(p)])) {
			return true
		}
	}
	return false
}

// typedMatch is a matcher on the sample it reads: integers and addresses
// are compared as such, the rest as strings (no text form is built for
// them, so an integer or address ACL allocates nothing).
type typedMatch struct {
	str  func(string) bool
	num  func(int64) bool
	addr func(netip.Addr) bool
}

func (m typedMatch) test(v *value) bool {
	switch {
	case m.num != nil:
		return m.num(v.i)
	case m.addr != nil:
		return m.addr(v.a)
	}
	t, ok := v.text()
	return ok && m.str(t)
}

// buildTyped is matcher, typed for the int, bool and ip methods.
func buildTyped(method haproxy.MatchMethod, pats []string, ci bool) (typedMatch, error) {
	switch method {
	case haproxy.MatchInt:
		f, err := intRanges(pats)
		return typedMatch{num: f}, err
	case haproxy.MatchBool:
		return typedMatch{num: func(n int64) bool { return n != 0 }}, nil
	case haproxy.MatchIP:
		f, err := ipNets(pats)
		return typedMatch{addr: f}, err
	}
	f, err := matcher(method, pats, ci)
	return typedMatch{str: f}, err
}

// intMatcher is intRanges on the text of an integer.
func intMatcher(pats []string) (func(string) bool, error) {
	f, err := intRanges(pats)
	if err != nil {
		return nil, err
	}
	return func(v string) bool {
		n := value{t: haproxy.SampleStr, s: v} // c_str2int
		return strToInt(&n) && f(n.i)
	}, nil
}

// intRanges matches integer samples (hdr_cnt) against HAProxy's integer
// patterns: "N", "N:M", ":M", "N:", or an operator "eq|ge|gt|le|lt N".
func intRanges(pats []string) (func(int64) bool, error) {
	type rng struct{ lo, hi int64 }
	var rs []rng
	const inf, minInt = int64(^uint64(0) >> 1), -1 << 63
	for i := 0; i < len(pats); i++ {
		p := pats[i]
		op := ""
		switch p {
		case "eq", "ge", "gt", "le", "lt":
			if i+1 == len(pats) {
				return nil, fmt.Errorf("operator %s without a value", p)
			}
			op, p = pats[i], pats[i+1]
			i++
		}
		if op != "" {
			n, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return nil, err
			}
			switch op {
			case "eq":
				rs = append(rs, rng{n, n})
			case "ge":
				rs = append(rs, rng{n, inf})
			case "gt":
				rs = append(rs, rng{n + 1, inf})
			case "le":
				rs = append(rs, rng{minInt, n})
			case "lt":
				rs = append(rs, rng{minInt, n - 1})
			}
			continue
		}
		lo, hi, err := int64Range(p) // HAProxy's integer patterns, as map keys
		if err != nil {
			return nil, err
		}
		rs = append(rs, rng{lo, hi})
	}
	return func(n int64) bool {
		for _, r := range rs {
			if n >= r.lo && n <= r.hi {
				return true
			}
		}
		return false
	}, nil
}

// ParsePrefix reads an address pattern: "a.b.c.d", "a.b.c.d/len",
// "a.b.c.d/m.a.s.k" or IPv6 (ACL ip patterns; the adapter reads
// `option forwardfor except` with it too).
func ParsePrefix(s string) (netip.Prefix, error) {
	addr, bits, hasMask := strings.Cut(s, "/")
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return netip.Prefix{}, err
	}
	if !hasMask {
		return netip.PrefixFrom(ip, ip.BitLen()), nil
	}
	if m, err := netip.ParseAddr(bits); err == nil && m.Is4() {
		ones, b4 := 0, m.As4()
		for _, x := range b4 {
			for i := 7; i >= 0; i-- {
				if x&(1<<i) == 0 {
					return ip.Prefix(ones)
				}
				ones++
			}
		}
		return ip.Prefix(ones)
	}
	var n int
	if _, err := fmt.Sscanf(bits, "%d", &n); err != nil {
		return netip.Prefix{}, err
	}
	return ip.Prefix(n)
}
