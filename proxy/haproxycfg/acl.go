package haproxycfg

import (
	"bufio"
	"fmt"
	"net/netip"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// aclSet compiles a proxy's conditions: named ACLs (several lines with one
// name are OR-ed, as in HAProxy), anonymous `{ ... }` ACLs and HAProxy's
// predefined ACLs. Fetches: path, url, query, method, base, hdr(name[,occ])
// (req.hdr), req.fhdr, hdr_cnt, fhdr_cnt (every occurrence: acl_headers.go), src and always_true/always_false, with their _beg, _end, _sub,
// _reg, _dir, _dom, _str derivatives and `-m` methods (str, beg, end, sub,
// reg, dir, dom, found, len, ip); flags -i, -n, -u, -f FILE; converters
// lower and upper. Anything else is an error the builder reports.
type aclSet struct {
	px    *haproxy.Proxy
	cache map[string]proxy.Condition
}

func newACLSet(px *haproxy.Proxy) *aclSet {
	return &aclSet{px: px, cache: map[string]proxy.Condition{}}
}

// predefined are HAProxy's built-in ACLs, as acl lines.
var predefined = map[string]haproxy.ACL{
	"TRUE":           {Criterion: "always_true"},
	"FALSE":          {Criterion: "always_false"},
	"LOCALHOST":      {Criterion: "src", Values: []string{"127.0.0.1/8", "::1"}},
	"METH_CONNECT":   {Criterion: "method", Values: []string{"CONNECT"}},
	"METH_DELETE":    {Criterion: "method", Values: []string{"DELETE"}},
	"METH_GET":       {Criterion: "method", Values: []string{"GET", "HEAD"}},
	"METH_HEAD":      {Criterion: "method", Values: []string{"HEAD"}},
	"METH_OPTIONS":   {Criterion: "method", Values: []string{"OPTIONS"}},
	"METH_POST":      {Criterion: "method", Values: []string{"POST"}},
	"METH_PUT":       {Criterion: "method", Values: []string{"PUT"}},
	"METH_TRACE":     {Criterion: "method", Values: []string{"TRACE"}},
	"HTTP_URL_ABS":   {Criterion: "url_reg", Values: []string{"^[^/:]*://"}},
	"HTTP_URL_SLASH": {Criterion: "url_beg", Values: []string{"/"}},
	"HTTP_URL_STAR":  {Criterion: "url", Values: []string{"*"}},
}

// compile turns a condition into a proxy.Condition.
func (s *aclSet) compile(c *haproxy.Condition) (proxy.Condition, error) {
	out := &condition{unless: c.Unless}
	for _, and := range c.Or {
		var terms []term
		for _, t := range and {
			var m proxy.Condition
			var err error
			if t.Anon != nil {
				m, err = compileACL(*t.Anon)
			} else {
				m, err = s.named(t.Name)
			}
			if err != nil {
				return nil, err
			}
			terms = append(terms, term{neg: t.Negate, m: m})
		}
		out.or = append(out.or, terms)
	}
	return out, nil
}

func (s *aclSet) named(name string) (proxy.Condition, error) {
	if m, ok := s.cache[name]; ok {
		return m, nil
	}
	var any anyOf
	for _, a := range s.px.ACLs {
		if a.Name != name {
			continue
		}
		m, err := compileACL(a)
		if err != nil {
			return nil, fmt.Errorf("acl %s: %v", name, err)
		}
		any = append(any, m)
	}
	if len(any) == 0 {
		a, ok := predefined[name]
		if !ok {
			return nil, fmt.Errorf("acl %s: unknown", name)
		}
		m, err := compileACL(a)
		if err != nil {
			return nil, err
		}
		any = append(any, m)
	}
	s.cache[name] = any
	return any, nil
}

// condition is `if|unless` an OR of ANDs of possibly negated ACLs.
type condition struct {
	unless bool
	or     [][]term
}

type term struct {
	neg bool
	m   proxy.Condition
}

func (c *condition) Match(r *proxy.RequestInfo) bool {
	res := false
	for _, and := range c.or {
		ok := true
		for _, t := range and {
			if t.m.Match(r) == t.neg {
				ok = false
				break
			}
		}
		if ok {
			res = true
			break
		}
	}
	return res != c.unless
}

type anyOf []proxy.Condition

func (a anyOf) Match(r *proxy.RequestInfo) bool {
	for _, m := range a {
		if m.Match(r) {
			return true
		}
	}
	return false
}

// acl is one compiled acl line: a fetch and a match over its patterns.
type acl struct {
	fetch func(r *proxy.RequestInfo) ([]string, bool)
	match func(v string) bool
}

func (a *acl) Match(r *proxy.RequestInfo) bool {
	vals, ok := a.fetch(r)
	if !ok {
		return false
	}
	for _, v := range vals {
		if a.match(v) {
			return true
		}
	}
	return false
}

// compileACL builds the matcher of one acl line.
func compileACL(a haproxy.ACL) (proxy.Condition, error) {
	// The converter list starts at the first comma outside the fetch's
	// arguments: req.hdr(x,1),lower.
	crit, conv := a.Criterion, ""
	if i := strings.IndexByte(crit, ')'); i >= 0 {
		if j := strings.IndexByte(crit[i:], ','); j >= 0 {
			crit, conv = crit[:i+j], crit[i+j+1:]
		}
	} else {
		crit, conv, _ = strings.Cut(crit, ",")
	}
	name, arg := crit, ""
	if i := strings.IndexByte(crit, '('); i > 0 && strings.HasSuffix(crit, ")") {
		name, arg = crit[:i], crit[i+1:len(crit)-1]
	}
	// A derivative (path_beg, hdr_sub, ...) is the base fetch plus a method.
	method := ""
	for _, suf := range []string{"_beg", "_end", "_sub", "_reg", "_dir", "_dom", "_str", "_len", "_ip"} {
		if base, ok := strings.CutSuffix(name, suf); ok && base != "" {
			name, method = base, suf[1:]
			break
		}
	}
	var fetch func(r *proxy.RequestInfo) ([]string, bool)
	switch name {
	case "always_true", "always_false":
		v := name == "always_true"
		return constCond(v), nil
	case "path":
		fetch = func(r *proxy.RequestInfo) ([]string, bool) { return []string{pathOf(r.Target)}, r.Target != nil }
	case "url":
		fetch = func(r *proxy.RequestInfo) ([]string, bool) { return []string{string(r.Target)}, r.Target != nil }
	case "query":
		fetch = func(r *proxy.RequestInfo) ([]string, bool) {
			_, q, ok := strings.Cut(string(r.Target), "?")
			return []string{q}, ok
		}
	case "method":
		fetch = func(r *proxy.RequestInfo) ([]string, bool) { return []string{string(r.Method)}, r.Method != nil }
	case "base":
		fetch = func(r *proxy.RequestInfo) ([]string, bool) {
			return []string{string(hostFor(r)) + pathOf(r.Target)}, r.Target != nil
		}
	case "hdr", "req.hdr", "fhdr", "req.fhdr", "hdr_cnt", "req.hdr_cnt", "fhdr_cnt", "req.fhdr_cnt":
		var err error
		if fetch, err = headerFetch(name, arg); err != nil {
			return nil, fmt.Errorf("fetch %s: %v", a.Criterion, err)
		}
		if strings.HasSuffix(name, "_cnt") && method == "" {
			method = "int"
		}
	case "url_param", "urlp":
		if arg == "" {
			return nil, fmt.Errorf("fetch %s", a.Criterion)
		}
		fetch = func(r *proxy.RequestInfo) ([]string, bool) { return queryParam(r.Target, arg) }
	case "cook", "req.cook":
		if arg == "" {
			return nil, fmt.Errorf("fetch %s", a.Criterion)
		}
		fetch = func(r *proxy.RequestInfo) ([]string, bool) { return cookie(r, arg) }
	case "ssl_fc":
		// No TLS listener is served, so no connection is TLS.
		return constCond(false), nil
	case "src":
		if method == "" {
			method = "ip"
		}
		fetch = func(r *proxy.RequestInfo) ([]string, bool) {
			return []string{r.Src.Addr().Unmap().String()}, r.Src.IsValid()
		}
	default:
		return nil, fmt.Errorf("fetch %s", a.Criterion)
	}
	switch conv {
	case "":
	case "lower", "upper":
		inner, up := fetch, conv == "upper"
		fetch = func(r *proxy.RequestInfo) ([]string, bool) {
			vals, ok := inner(r)
			for i, v := range vals {
				if up {
					vals[i] = strings.ToUpper(v)
				} else {
					vals[i] = strings.ToLower(v)
				}
			}
			return vals, ok
		}
	default:
		return nil, fmt.Errorf("converter %s", conv)
	}
	ci := false
	values := append([]string(nil), a.Values...)
	for i := 0; i < len(a.Flags); i++ {
		switch a.Flags[i] {
		case "-i":
			ci = true
		case "-n", "-u", "--":
		case "-m":
			i++
			method = a.Flags[i]
		case "-f":
			i++
			pats, err := patternFile(a.Flags[i])
			if err != nil {
				return nil, err
			}
			values = append(values, pats...)
		default:
			return nil, fmt.Errorf("acl flag %s", a.Flags[i])
		}
	}
	if method == "" {
		method = "str"
	}
	m, err := matcher(method, values, ci)
	if err != nil {
		return nil, err
	}
	return &acl{fetch: fetch, match: m}, nil
}

type constCond bool

func (c constCond) Match(*proxy.RequestInfo) bool { return bool(c) }

// pathOf is HAProxy's `path`: the target without the query string, and
// without scheme and authority for an absolute URI.
func pathOf(target []byte) string {
	t := string(target)
	if i := strings.Index(t, "://"); i > 0 && !strings.HasPrefix(t, "/") {
		rest := t[i+3:]
		if j := strings.IndexByte(rest, '/'); j >= 0 {
			t = rest[j:]
		} else {
			t = "/"
		}
	}
	if i := strings.IndexByte(t, '?'); i >= 0 {
		t = t[:i]
	}
	return t
}

// patternFile reads an `acl -f` file: one pattern a line, blank lines and
// lines starting with '#' ignored, surrounding blanks trimmed.
func patternFile(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := strings.TrimSpace(sc.Text())
		if l != "" && !strings.HasPrefix(l, "#") {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// matcher builds the test of one value against the patterns with an ACL
// matching method.
func matcher(method string, pats []string, ci bool) (func(string) bool, error) {
	fold := func(s string) string {
		if ci {
			return strings.ToLower(s)
		}
		return s
	}
	ps := make([]string, len(pats))
	for i, p := range pats {
		ps[i] = fold(p)
	}
	anyPat := func(test func(v, p string) bool) func(string) bool {
		return func(v string) bool {
			v = fold(v)
			for _, p := range ps {
				if test(v, p) {
					return true
				}
			}
			return false
		}
	}
	switch method {
	case "found":
		return func(string) bool { return true }, nil
	case "str":
		return anyPat(func(v, p string) bool { return v == p }), nil
	case "beg":
		return anyPat(strings.HasPrefix), nil
	case "end":
		return anyPat(strings.HasSuffix), nil
	case "sub":
		return anyPat(strings.Contains), nil
	case "dir":
		return anyPat(func(v, p string) bool { return delimited(v, p, '/') }), nil
	case "dom":
		return anyPat(func(v, p string) bool { return delimited(v, p, '.') }), nil
	case "reg":
		var res []*regexp.Regexp
		for _, p := range pats {
			if ci {
				p = "(?i)" + p
			}
			re, err := regexp.Compile(p)
			if err != nil {
				return nil, err
			}
			res = append(res, re)
		}
		return func(v string) bool {
			for _, re := range res {
				if re.MatchString(v) {
					return true
				}
			}
			return false
		}, nil
	case "int":
		return intMatcher(pats)
	case "len":
		var ranges [][2]int
		for _, p := range pats {
			lo, hi, err := intRange(p)
			if err != nil {
				return nil, err
			}
			ranges = append(ranges, [2]int{lo, hi})
		}
		return func(v string) bool {
			for _, r := range ranges {
				if len(v) >= r[0] && len(v) <= r[1] {
					return true
				}
			}
			return false
		}, nil
	case "ip":
		var nets []netip.Prefix
		for _, p := range pats {
			pfx, err := parsePrefix(p)
			if err != nil {
				return nil, fmt.Errorf("address %s", p)
			}
			nets = append(nets, pfx.Masked())
		}
		return func(v string) bool {
			a, err := netip.ParseAddr(v)
			if err != nil {
				return false
			}
			for _, n := range nets {
				if n.Contains(a) || n.Addr().Is4() && a.Is4In6() && n.Contains(a.Unmap()) {
					return true
				}
			}
			return false
		}, nil
	}
	return nil, fmt.Errorf("match method %s", method)
}

// delimited reports whether p occurs in v as whole sep-delimited parts
// (HAProxy's dir and dom matches).
func delimited(v, p string, sep byte) bool {
	p = strings.Trim(p, string(sep))
	if p == "" {
		return false
	}
	for i := 0; i+len(p) <= len(v); i++ {
		if v[i:i+len(p)] != p {
			continue
		}
		if (i == 0 || v[i-1] == sep) && (i+len(p) == len(v) || v[i+len(p)] == sep) {
			return true
		}
	}
	return false
}

// intRange reads "N", "N:M", ":M", "N:" (lengths).
func intRange(p string) (int, int, error) {
	lo, hi, isRange := strings.Cut(p, ":")
	if !isRange {
		n, err := strconv.Atoi(p)
		return n, n, err
	}
	l, h := 0, int(^uint(0)>>1)
	var err error
	if lo != "" {
		if l, err = strconv.Atoi(lo); err != nil {
			return 0, 0, err
		}
	}
	if hi != "" {
		if h, err = strconv.Atoi(hi); err != nil {
			return 0, 0, err
		}
	}
	return l, h, nil
}

// queryParam returns the values of name in the target's query string
// (url_param/urlp: matched as written, without decoding).
func queryParam(target []byte, name string) ([]string, bool) {
	_, q, ok := strings.Cut(string(target), "?")
	if !ok {
		return nil, false
	}
	var out []string
	for _, kv := range strings.FieldsFunc(q, func(r rune) bool { return r == '&' || r == ';' }) {
		if k, v, _ := strings.Cut(kv, "="); k == name {
			out = append(out, v)
		}
	}
	return out, len(out) > 0
}

// cookie returns the values of the cookie name in every Cookie header
// (HAProxy's cook() reads them all, and takes ',' as a separator as well
// as ';').
func cookie(r *proxy.RequestInfo, name string) ([]string, bool) {
	var out []string
	for _, h := range r.Headers() {
		if !http1.EqualFold(h.Name, "cookie") {
			continue
		}
		for _, part := range strings.FieldsFunc(string(h.Value), func(c rune) bool { return c == ';' || c == ',' }) {
			if k, v, ok := strings.Cut(strings.TrimSpace(part), "="); ok && k == name {
				out = append(out, strings.TrimSpace(v))
			}
		}
	}
	return out, len(out) > 0
}
