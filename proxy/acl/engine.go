package acl

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Set compiles the conditions of one proxy against its acl lines. Named
// ACLs are compiled once and shared by every condition that uses them.
type Set struct {
	acls  []haproxy.ACL
	cache map[string]proxy.Condition
	// userlists are the configuration's, for http_auth and
	// http_auth_group (WithUserlists).
	userlists []haproxy.Userlist
	// payload: conditions run during tcp content inspection, where the
	// payload fetches (req.len) have a value (WithPayload).
	payload bool
	// resPayload: conditions of tcp-response content rules, where the
	// response payload fetches have a value (WithResPayload).
	resPayload bool
}

// WithResPayload lets the set's conditions use res.payload and
// res.payload_lv: a backend's tcp-response content rules.
func (s *Set) WithResPayload() *Set {
	s.resPayload = true
	return s
}

// ReadsResPayload says whether c reads the response's bytes: its rule
// may wait for them.
func (s *Set) ReadsResPayload(c *haproxy.Condition) bool {
	return c != nil && s.firstACL(c, func(f fetchDef, ok bool) bool { return ok && f.resPayload }) != ""
}

// TCPOnly names the first ACL criterion of c whose fetch goha does not
// model on an HTTP stream (res.len), or "".
func (s *Set) TCPOnly(c *haproxy.Condition) string {
	if c == nil {
		return ""
	}
	return s.firstACL(c, func(f fetchDef, ok bool) bool { return ok && f.tcpOnly })
}

// SampleTCPOnly says whether a sample expression's fetch is not modelled
// on an HTTP stream.
func SampleTCPOnly(smp haproxy.Sample) bool {
	return fetches[smp.Fetch.Name].tcpOnly
}

// SampleReadsResPayload says whether a sample expression reads the
// response's bytes.
func SampleReadsResPayload(smp haproxy.Sample) bool {
	return fetches[smp.Fetch.Name].resPayload
}

// WithPayload lets the set's conditions use req.len: a tcp-mode
// frontend's content rules and use_backend.
func (s *Set) WithPayload() *Set {
	s.payload = true
	return s
}

// WithUserlists gives the set the userlists its http_auth and
// http_auth_group ACLs name.
func (s *Set) WithUserlists(uls []haproxy.Userlist) *Set {
	s.userlists = uls
	return s
}

// NewSet returns the compiler of conditions over acls (a proxy's acl lines).
func NewSet(acls []haproxy.ACL) *Set {
	return &Set{acls: acls, cache: map[string]proxy.Condition{}}
}

// Compile turns a condition into a proxy.Condition.
func (s *Set) Compile(c *haproxy.Condition) (proxy.Condition, error) {
	if !s.payload {
		// An HTTP stream's req.len is its HTX size, not modelled.
		if bad := s.firstACL(c, func(f fetchDef, ok bool) bool { return ok && f.payloadOnly }); bad != "" {
			return nil, fmt.Errorf("%s outside tcp-mode content inspection", bad)
		}
	}
	if !s.resPayload {
		if bad := s.firstACL(c, func(f fetchDef, ok bool) bool { return ok && f.resPayload }); bad != "" {
			return nil, fmt.Errorf("%s outside tcp-response content rules", bad)
		}
	}
	if s.payload {
		// a tcp stream's rules (tcp-response ones: responseCond): no HTTP message there (rawhttp.go)
		if bad := s.ReadsHTTPMessage(c); bad != "" {
			return nil, errors.New(RawHTTPMsg(bad))
		}
	}
	out := &condition{unless: c.Unless}
	for _, and := range c.Or {
		var terms []term
		for _, t := range and {
			var m proxy.Condition
			var err error
			if t.Anon != nil {
				m, err = compileACL(*t.Anon, s.userlists)
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
	if len(out.or) == 1 && len(out.or[0]) == 1 {
		t := out.or[0][0]
		a, _ := t.m.(*acl)
		return &oneTerm{m: t.m, a: a, neg: t.neg, unless: c.Unless}, nil
	}
	return out, nil
}

// named compiles every acl line called name, OR-ed as in HAProxy, or the
// predefined ACL of that name when the proxy declares none.
func (s *Set) named(name string) (proxy.Condition, error) {
	if m, ok := s.cache[name]; ok {
		return m, nil
	}
	var any anyOf
	for _, a := range s.acls {
		if a.Name != name {
			continue
		}
		m, err := compileACL(a, s.userlists)
		if err != nil {
			return nil, fmt.Errorf("acl %s: %v", name, err)
		}
		any = append(any, m)
	}
	if len(any) == 0 {
		a, ok := haproxy.PredefinedACL(name)
		if !ok {
			return nil, fmt.Errorf("acl %s: unknown", name)
		}
		m, err := Compile(a)
		if err != nil {
			return nil, err
		}
		any = append(any, m)
	}
	if len(any) == 1 {
		s.cache[name] = any[0] // one acl line: no OR to walk per request
		return any[0], nil
	}
	s.cache[name] = any
	return any, nil
}

// NonLayer4 names the first ACL criterion of c whose fetch has no value
// when a connection is accepted (before a byte is read), or "" when every
// one has: tcp-request connection rules may use only those.
func (s *Set) NonLayer4(c *haproxy.Condition) string {
	return s.firstACL(c, func(f fetchDef, ok bool) bool { return !ok || !f.layer4 })
}

// NotAtServerConnect is the first ACL criterion of c whose fetch has no
// value yet once the server connection is up, when a backend's
// tcp-response content rules first run, or "": the layer-4 fetches,
// variables, and those of the backend (be_name), the server (srv_id)
// and the connection to it (bc_src).
func (s *Set) NotAtServerConnect(c *haproxy.Condition) string {
	return s.firstACL(c, func(f fetchDef, ok bool) bool {
		return !ok || !(f.layer4 || f.use == useBackend || f.use == useServer || f.use == useServerAddr)
	})
}

// CompileAt is Compile for a condition evaluated at p: a criterion whose
// fetch p does not have (Unavailable) is an error too, after Compile's
// own.
func (s *Set) CompileAt(c *haproxy.Condition, p Place) (proxy.Condition, error) {
	cond, err := s.Compile(c)
	if err != nil {
		return nil, err
	}
	if msg := s.Unavailable(c, p); msg != "" {
		return nil, errors.New(msg)
	}
	return cond, nil
}

// Unavailable is HAProxy's message for the first ACL criterion of c
// whose fetch needs what the place p does not have, or "" (see Place).
func (s *Set) Unavailable(c *haproxy.Condition, p Place) string {
	bad := s.firstACL(c, func(f fetchDef, ok bool) bool { return ok && !p.has(f.use) })
	if bad == "" {
		return ""
	}
	return unavailableMsg(bad+"]", fetches[haproxy.ParseSample(bad).Fetch.Name].use)
}

// firstACL is the sample text of the first criterion of c whose fetch row
// (ok: the fetch is known) bad reports, or "".
func (s *Set) firstACL(c *haproxy.Condition, bad func(f fetchDef, ok bool) bool) string {
	return s.firstACLNamed(c, func(name string) bool {
		f, ok := fetches[name]
		return bad(f, ok)
	})
}

// firstACLNamed is firstACL with the fetch's name given to bad.
func (s *Set) firstACLNamed(c *haproxy.Condition, bad func(name string) bool) string {
	check := func(a haproxy.ACL) string {
		if !bad(a.Sample.Fetch.Name) {
			return ""
		}
		return a.Sample.Text
	}
	for _, and := range c.Or {
		for _, t := range and {
			if t.Anon != nil {
				if bad := check(*t.Anon); bad != "" {
					return bad
				}
				continue
			}
			found := false
			for _, a := range s.acls {
				if a.Name == t.Name {
					found = true
					if bad := check(a); bad != "" {
						return bad
					}
				}
			}
			if p, ok := haproxy.PredefinedACL(t.Name); ok && !found {
				if bad := check(p); bad != "" {
					return bad
				}
			}
		}
	}
	return ""
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

// Match evaluates the condition with HAProxy's three outcomes
// (acl_exec_cond): a term that does not match while its fetch was short
// of bytes, or may still change (req.len), is a MISS, whatever its '!';
// a suite stops at its first term that is not a PASS and takes its
// outcome; the suites are ORed (PASS over MISS over FAIL). A MISS is
// false here, and leaves the payload-short mark on r so that a
// tcp-request or tcp-response content rule waits for more bytes.
func (c *condition) Match(r *proxy.RequestInfo) bool {
	res, miss := false, false
	r.TakePayloadShort()
	for _, and := range c.or {
		ok, andMiss := true, false
		for _, t := range and {
			m := t.m.Match(r)
			// (only while tcp content inspection buffers: elsewhere the
			// rules run on what is final, SMP_OPT_FINAL)
			if short := r.TakePayloadShort(); short && !m && r.Inspecting() {
				ok, andMiss = false, true
				break
			}
			if m == t.neg {
				ok = false
				break
			}
		}
		if ok {
			res, miss = true, false
			break
		}
		miss = miss || andMiss
	}
	if miss {
		r.Miss()
		return false
	}
	return res != c.unless
}

// oneTerm is a condition of one ACL (`if is_api`, `unless !x`): Match
// as condition's, without the suites to walk.
type oneTerm struct {
	m           proxy.Condition
	a           *acl // m when it is an acl line, called directly
	neg, unless bool
}

func (c *oneTerm) Match(r *proxy.RequestInfo) bool {
	r.TakePayloadShort()
	var m bool
	switch a := c.a; {
	case a != nil && a.one != nil:
		m = a.matchOne(r) // (acl.Match's first case, called directly)
	case a != nil:
		m = a.Match(r)
	default:
		m = c.m.Match(r)
	}
	if short := r.TakePayloadShort(); short && !m && r.Inspecting() {
		r.Miss() // a MISS, whatever the '!' and the unless
		return false
	}
	return (m != c.neg) != c.unless
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

type constCond bool

func (c constCond) Match(*proxy.RequestInfo) bool { return bool(c) }

// acl is one compiled acl line: a fetch, its converters, and a match over
// the patterns. It matches when one of the values matches.
type acl struct {
	fetch     fetchFunc
	one       oneFunc     // the fetch itself when it has one value at most (single.go)
	hdr       *eachHeader // a request header's every value, read in a loop (acl_headers.go)
	steps     []step
	matchType haproxy.SampleType         // the type the matcher reads, cast to
	match     atomic.Pointer[typedMatch] // swapped when a -f file changes (runtime API)
}

func (a *acl) Match(r *proxy.RequestInfo) bool {
	if a.one != nil {
		return a.matchOne(r)
	}
	if a.hdr != nil {
		return a.matchHeaders(r)
	}
	f := push(r)
	f.a, f.r = a, r
	ok := a.fetch(r, f.matchYield)
	pop(r, f)
	return ok
}

// matchValue runs one fetched value, v, through the converters and the
// matcher; a value that becomes "no sample" does not match. The
// converters may read the request's variables.
func (a *acl) matchValue(r *proxy.RequestInfo, v *value) bool {
	return run(r, a.steps, v) &&
		(a.matchType == haproxy.SampleAny || v.t == a.matchType || v.cast(a.matchType)) &&
		a.match.Load().test(v)
}

// Compile builds the matcher of one ACL: fetch -> converters -> matcher.
// It knows no userlist: an http_auth ACL needs a Set (WithUserlists).
func Compile(a haproxy.ACL) (proxy.Condition, error) { return compileACL(a, nil) }

// compileACL is Compile with the configuration's userlists.
func compileACL(a haproxy.ACL, uls []haproxy.Userlist) (proxy.Condition, error) {
	if a.Invalid != "" {
		return nil, fmt.Errorf("%s", a.Invalid)
	}
	if a.Sample.Fetch.Name == "http_auth_group" {
		return compileAuthGroup(a, uls)
	}
	f, ok := fetches[a.Sample.Fetch.Name]
	if !ok {
		f, ok = authFetch(a.Sample.Fetch.Name, uls)
	}
	if !ok {
		return nil, fmt.Errorf("fetch %s", a.Sample.Text)
	}
	if f.constant != nil && len(a.Sample.Converters) == 0 {
		return constCond(*f.constant), nil
	}
	e, err := compileParts(f, a.Sample, false)
	if err != nil {
		return nil, err
	}
	out := e.out
	method := a.Match.Method
	if method == haproxy.MatchDefault && out == haproxy.SampleAny {
		return nil, fmt.Errorf("matching method must be specified first (using '-m') when using a sample fetch of this type ('%s')", a.Sample.Fetch.Name)
	}
	if method == haproxy.MatchDefault {
		method = defaultMatch(out)
		if binACLs[a.Keyword] && len(a.Sample.Converters) == 0 {
			method = haproxy.MatchBin
		}
	}
	in := matchInput(method)
	if in != haproxy.SampleAny && out != haproxy.SampleAny && castOf(out, in) == nil {
		return nil, fmt.Errorf("%s: the sample type %s cannot be matched with -m %s", a.Sample.Text, out, method)
	}
	c := &acl{fetch: e.fetch, one: e.one, steps: e.steps, matchType: in}
	if f.post == nil && f.build != nil {
		c.hdr = eachHeaderOf(a.Sample)
	}
	if dottedVersionACLs[a.Keyword] && a.Match.Method == haproxy.MatchDefault && len(a.Sample.Converters) == 0 {
		pats, err := dottedVersions(a.Match.Patterns)
		if err != nil {
			return nil, err
		}
		a.Match.Patterns = pats
	}
	if err := filePatterns(a.Match, method, a.Pos.Line, c.match.Store); err != nil {
		return nil, err
	}
	return c, nil
}
