package haproxy

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is the HAProxy version goha mimics; conditions and -v use it.
const Version = "2.6.12"

// ReleaseDate is HAProxy 2.6.12's release date, as `show info` prints it
// (Release_date: clients such as hatop refuse an empty one).
const ReleaseDate = "2023/03/10"

// Features is the "+NAME" part of gohaproxy's feature list (-vv): only what
// goha really has, so `.if feature(OPENSSL)` blocks take the branch goha can
// run. OPENSSL stands for TLS, which goha does with Go's crypto/tls (binds,
// servers, checks). Debian's HAProxy 2.6.12 also says +LUA +PROMEX +PCRE2
// ...; each comes here when goha implements it (a deliberate difference
// from `haproxy -c`, listed in the golden test and the README).
var Features = []string{"ACCEPT4", "EPOLL", "LINUX_SPLICE", "OPENSSL", "SYSTEMD", "THREAD"}

// FeatureNames is every name of HAProxy 2.6's feature list, for -vv's
// "+NAME"/"-NAME" line.
var FeatureNames = []string{"51DEGREES", "ACCEPT4", "BACKTRACE", "CLOSEFROM", "CPU_AFFINITY", "CRYPT_H",
	"DEVICEATLAS", "DL", "ENGINE", "EPOLL", "EVPORTS", "GETADDRINFO", "KQUEUE", "LIBCRYPT", "LINUX_SPLICE",
	"LINUX_TPROXY", "LUA", "MEMORY_PROFILING", "NETFILTER", "NS", "OBSOLETE_LINKER", "OPENSSL", "OT", "PCRE",
	"PCRE2", "PCRE2_JIT", "PCRE_JIT", "POLL", "PRCTL", "PROCCTL", "PROMEX", "QUIC", "RT", "SLZ", "STATIC_PCRE",
	"STATIC_PCRE2", "SYSTEMD", "TFO", "THREAD", "THREAD_DUMP", "TPROXY", "WURFL", "ZLIB"}

// CondError is a failure to parse a .if expression; Pos is 1-based in the
// expression text.
type CondError struct {
	Msg string
	Pos int
}

// EvalCondition evaluates the words after .if/.elif as HAProxy 2.6 does:
// integers, predicates, parentheses, '!', '&&' binding tighter than '||'.
// An empty condition is false.
func EvalCondition(words []string, env Env) (bool, *CondError) {
	expr := strings.Join(words, " ")
	p := &condParser{s: expr, env: env}
	p.skip()
	if p.i >= len(p.s) {
		return false, nil
	}
	v, err := p.or()
	if err != nil {
		return false, err
	}
	p.skip()
	if p.i < len(p.s) {
		return false, &CondError{Msg: fmt.Sprintf("unexpected character '%c' at the end of conditional expression '%s'", p.s[p.i], p.s), Pos: p.i + 1}
	}
	return v, nil
}

type condParser struct {
	s   string
	i   int
	env Env
}

func (p *condParser) skip() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func (p *condParser) or() (bool, *CondError) {
	v, err := p.and()
	if err != nil {
		return false, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.s[p.i:], "||") {
			return v, nil
		}
		p.i += 2
		w, err := p.and()
		if err != nil {
			return false, err
		}
		v = v || w
	}
}

func (p *condParser) and() (bool, *CondError) {
	v, err := p.term()
	if err != nil {
		return false, err
	}
	for {
		p.skip()
		if !strings.HasPrefix(p.s[p.i:], "&&") {
			return v, nil
		}
		p.i += 2
		w, err := p.term()
		if err != nil {
			return false, err
		}
		v = v && w
	}
}

func (p *condParser) term() (bool, *CondError) {
	p.skip()
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '!' {
		p.i++
		v, err := p.term()
		return !v, err
	}
	if p.i < len(p.s) && p.s[p.i] == '(' {
		p.i++
		v, err := p.or()
		if err != nil {
			return false, err
		}
		p.skip()
		if p.i >= len(p.s) || p.s[p.i] != ')' {
			return false, &CondError{Msg: "expected ')' after conditional expression '" + p.s[start:] + "'", Pos: start + 1}
		}
		p.i++
		return v, nil
	}
	j := p.i
	for j < len(p.s) && (isAlpha(p.s[j]) || isDigit(p.s[j]) || p.s[j] == '_' || p.s[j] == '-') {
		j++
	}
	word := p.s[p.i:j]
	if n, err := strconv.ParseInt(word, 10, 64); err == nil {
		p.i = j
		return n != 0, nil
	}
	if j >= len(p.s) || p.s[j] != '(' {
		return false, &CondError{Msg: "unparsable conditional expression '" + p.s[start:] + "'", Pos: start + 1}
	}
	end := strings.IndexByte(p.s[j:], ')')
	if end < 0 {
		return false, &CondError{Msg: "missing closing ')' in condition predicate '" + p.s[start:] + "'", Pos: start + 1}
	}
	var args []string
	if inner := p.s[j+1 : j+end]; inner != "" {
		args = strings.Split(inner, ",")
	}
	need := map[string]int{"defined": 1, "feature": 1, "streq": 2, "strneq": 2, "version_atleast": 1, "version_before": 1}[word]
	if need > 0 && len(args) < need {
		return false, &CondError{Msg: fmt.Sprintf("missing arguments (got %d/%d), type 'string' expected in argument %d of predicate '%s' used in conditional expression",
			len(args), need, len(args), word), Pos: j + end + 1}
	}
	arg := func(k int) string {
		if k < len(args) {
			return strings.TrimSpace(args[k])
		}
		return ""
	}
	p.i = j + end + 1
	switch word {
	case "defined":
		look := p.env
		if look == nil {
			look = lookupEnv
		}
		_, ok := look(arg(0))
		return ok, nil
	case "feature":
		for _, f := range Features {
			if f == arg(0) {
				return true, nil
			}
		}
		return false, nil
	case "streq":
		return arg(0) == arg(1), nil
	case "strneq":
		return arg(0) != arg(1), nil
	case "version_atleast":
		return compareVersion(Version, arg(0)) >= 0, nil
	case "version_before":
		return compareVersion(Version, arg(0)) < 0, nil
	}
	return false, &CondError{Msg: "unparsable conditional expression '" + p.s[start:] + "'", Pos: start + 1}
}

// compareVersion compares dotted versions, missing components being zero.
func compareVersion(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for k := 0; k < len(pa) || k < len(pb); k++ {
		var x, y int
		if k < len(pa) {
			x, _ = strconv.Atoi(leadingDigits(pa[k]))
		}
		if k < len(pb) {
			y, _ = strconv.Atoi(leadingDigits(pb[k]))
		}
		if x != y {
			if x < y {
				return -1
			}
			return 1
		}
	}
	return 0
}

func leadingDigits(s string) string {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return s[:i]
}
