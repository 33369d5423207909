package acl

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// frontend parses a frontend holding lines (acl and http-request lines).
func frontend(t *testing.T, lines ...string) *haproxy.Proxy {
	t.Helper()
	cfg := "frontend f\n mode http\n bind 127.0.0.1:1\n " + strings.Join(lines, "\n ") + "\n default_backend b\nbackend b\n mode http\n server s 127.0.0.1:2\n"
	res := haproxy.CheckBytes("t.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		t.Fatalf("%q: exit %d %v", lines, res.Exit, res.Diags.List)
	}
	return res.Config.Frontends[0]
}

func request(t *testing.T, raw string) *proxy.RequestInfo {
	t.Helper()
	var req http1.Request
	if err := req.Parse([]byte(raw)); err != nil {
		t.Fatalf("%q: %v", raw, err)
	}
	return proxy.NewRequestInfo(netip.MustParseAddrPort("10.0.0.1:4000"), &req)
}

func TestMatchers(t *testing.T) {
	m := func(method haproxy.MatchMethod) haproxy.MatchMethod { return method }
	tests := []struct {
		method haproxy.MatchMethod
		pats   []string
		ci     bool
		v      string
		want   bool
	}{
		{m(haproxy.MatchStr), []string{"abc"}, false, "abc", true},
		{m(haproxy.MatchStr), []string{"ABC"}, false, "abc", false},
		{m(haproxy.MatchStr), []string{"ABC"}, true, "abc", true},
		{m(haproxy.MatchBeg), []string{"ab"}, false, "abc", true},
		{m(haproxy.MatchEnd), []string{"bc"}, false, "abc", true},
		{m(haproxy.MatchSub), []string{"x", "b"}, false, "abc", true},
		{m(haproxy.MatchDir), []string{"/b/"}, false, "/a/b/c", true},
		{m(haproxy.MatchDir), []string{"b"}, false, "/a/bc", false},
		{m(haproxy.MatchDom), []string{"example.com"}, false, "www.example.com", true},
		{m(haproxy.MatchDom), []string{"ample.com"}, false, "www.example.com", false},
		{m(haproxy.MatchReg), []string{"^a.c$"}, false, "abc", true},
		{m(haproxy.MatchReg), []string{"^A"}, true, "abc", true},
		{m(haproxy.MatchLen), []string{"3"}, false, "abc", true},
		{m(haproxy.MatchLen), []string{"4:"}, false, "abc", false},
		{m(haproxy.MatchLen), []string{":3"}, false, "abc", true},
		{m(haproxy.MatchLen), []string{"gt", "2"}, false, "abc", true},
		{m(haproxy.MatchLen), []string{"gt", "3"}, false, "abc", false},
		{m(haproxy.MatchLen), []string{"lt", "1"}, false, "", true},
		{m(haproxy.MatchInt), []string{"gt", "1"}, false, "2", true},
		{m(haproxy.MatchInt), []string{"le", "1"}, false, "2", false},
		{m(haproxy.MatchInt), []string{"1:3"}, false, "2", true},
		{m(haproxy.MatchInt), []string{"eq", "2"}, false, "x", false},
		{m(haproxy.MatchIP), []string{"10.0.0.0/8"}, false, "10.9.9.9", true},
		{m(haproxy.MatchIP), []string{"10.0.0.0/255.255.0.0"}, false, "10.9.9.9", false},
		{m(haproxy.MatchIP), []string{"::1"}, false, "::1", true},
		{m(haproxy.MatchIP), []string{"127.0.0.1"}, false, "::ffff:127.0.0.1", true},
		{m(haproxy.MatchFound), nil, false, "", true},
	}
	for _, tc := range tests {
		f, err := matcher(tc.method, tc.pats, tc.ci)
		if err != nil {
			t.Errorf("%s %q: %v", tc.method, tc.pats, err)
			continue
		}
		if got := f(tc.v); got != tc.want {
			t.Errorf("-m %s %q (ci %v) on %q = %v, want %v", tc.method, tc.pats, tc.ci, tc.v, got, tc.want)
		}
	}
	// -m bin: hex patterns, the bytes compared whole, case kept.
	for _, tc := range []struct {
		v    string
		want bool
	}{{"abc", true}, {"ABC", false}, {"abcd", false}, {"\x00\xff", true}, {"", false}} {
		f, err := matcher(haproxy.MatchBin, []string{"616263", "00FF"}, true)
		if err != nil || f(tc.v) != tc.want {
			t.Errorf("-m bin on %q: %v, want %v", tc.v, err, tc.want)
		}
	}
	if _, err := matcher(haproxy.MatchBin, []string{"0g"}, false); err == nil {
		t.Error("-m bin 0g: no error")
	}
}

// TestHeaderOccurrence is headers.go's table on one request with a
// repeated header and a comma list (the differential test checks the same
// rows against HAProxy).
func TestHeaderOccurrence(t *testing.T) {
	r := request(t, "GET /p HTTP/1.1\r\nHost: h\r\nX-Role: user, admin\r\nX-Role: guest\r\nCookie: a=1; b=2\r\nCookie: c=3, d=4\r\n\r\n")
	tests := []struct {
		acl  string
		want bool
	}{
		{"hdr(x-role) admin", true},
		{"hdr(X-ROLE) guest", true},
		{"hdr(x-role,1) user", true},
		{"hdr(x-role,2) admin", true},
		{"hdr(x-role,-1) guest", true},
		{"hdr(x-role,0) -m found", false},
		{"hdr(x-role,4) -m found", false},
		{"req.fhdr(x-role) admin", false},
		{"req.fhdr(x-role) -m str \"user, admin\"", true},
		{"req.fhdr(x-role,-1) guest", true},
		{"hdr_cnt(x-role) eq 3", true},
		{"req.fhdr_cnt(x-role) eq 2", true},
		{"req.hdr_cnt(nope) eq 0", true},
		{"hdr() h", true},
		{"cook(c) 3", true},
		{"cook(d) 4", true},
		{"req.cook(b) -m found", true},
		{"base h/p", true},
		{"hdr_beg(x-role) gue", true},
		{"hdr_len(x-role) 5", true},
	}
	for _, tc := range tests {
		fe := frontend(t, "acl x "+tc.acl)
		c, err := Compile(fe.ACLs[0])
		if err != nil {
			t.Errorf("%s: %v", tc.acl, err)
			continue
		}
		if got := c.Match(r); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.acl, got, tc.want)
		}
	}
}

func TestConditions(t *testing.T) {
	r := request(t, "GET /api HTTP/1.1\r\nHost: h\r\n\r\n")
	tests := []struct {
		cond string
		want bool
	}{
		{"if api", true},
		{"unless api", false},
		{"if !api", false},
		{"if ! api", false},
		{"if post or api", true},
		{"if post || api", true},
		{"if api post", false},
		{"if api and get", true},
		{"if api && !post", true},
		{"if post or post or get", true},
		{"if twice", true}, // two lines of one name are OR-ed
		{"if { path /api } { method GET }", true},
		{"if !{ path /api }", false},
		{"unless { path /nope } or post", true},
		{"if METH_GET TRUE !FALSE", true},
		{"if LOCALHOST", false},
		{"if HTTP_URL_SLASH", true},
	}
	for _, tc := range tests {
		fe := frontend(t, "acl api path /api", "acl post method POST", "acl get method GET",
			"acl twice path /nope", "acl twice path /api", "http-request deny "+tc.cond)
		c, err := NewSet(fe.ACLs).Compile(fe.HTTPRequestRules[0].Cond)
		if err != nil {
			t.Errorf("%s: %v", tc.cond, err)
			continue
		}
		if got := c.Match(r); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.cond, got, tc.want)
		}
	}
}

// TestCompileRefusals: what the engine has no row for is an error naming
// it (the adapter reports it as unsupported), never a silent match.
func TestCompileRefusals(t *testing.T) {
	tests := []struct{ line, want string }{
		{"acl x ssl_fc_session_id -m found", "acl x: fetch ssl_fc_session_id"},
		{"acl x path,lower,upper,nope /a", "acl x: converter lower,upper,nope: unknown converter 'nope'"},
		{"acl x path,lower(1) /a", "acl x: converter lower(1): converter 'lower' does not support any args"},
		{"acl x ipv6(::1),bool -m found", "acl x: converter bool: converter 'bool' cannot be applied"},
		{"acl x path,bool,ipmask(8) 1", "acl x: converter bool,ipmask(8): converter 'ipmask' cannot be applied"},
		{"acl x path,bytes(x) 1", "acl x: converter bytes(x): invalid arg 1 in converter 'bytes' : failed to parse 'x' as type 'integer'"},
		{"acl x path,field(0,/) 1", "acl x: converter field(0,/): invalid args in converter 'field' : Unexpected value 0 for index"},
		{"acl x path,add(check.x) 1", "acl x: converter add(check.x): invalid args in converter 'add' : check-scoped variable 'check.x' is not supported by goha"},
		{"acl x path,strcmp(foo) 1", "acl x: converter strcmp(foo): invalid args in converter 'strcmp' : failed to register variable name 'foo'"},
		{"acl x var(txn.x) 1", "acl x: matching method must be specified first (using '-m') when using a sample fetch of this type ('var')"},
		{"acl x path,add(1x) 1", "acl x: converter add(1x): invalid args in converter 'add' : expects an integer or a variable name"},
		{"acl x path,regsub(a++,b) 1", "acl x: converter regsub(a++,b): invalid args in converter 'regsub' : regex 'a++' is not supported by goha (RE2): error parsing regexp: invalid nested repetition operator: `++`"},
		{"acl x path,regsub((?=a),b) 1", "acl x: converter regsub: ')' ends the argument list before '(?=a)'"}, // as HAProxy's make_arg_list
		{"acl x path,sha2(100) 1", "acl x: converter sha2(100): invalid args in converter 'sha2' : Unsupported number of bits: '100'."},
		{"acl x url_param(a,b,c) 1", "acl x: fetch url_param(a,b,c): expects a name and a delimiter at most"}, // url_param() reads the first value
		{"acl x hdr_cnt(a,1) 1", "acl x: fetch hdr_cnt(a,1): no occurrence argument"},
		{"acl x hdr(a,b) 1", `acl x: fetch hdr(a,b): occurrence "b"`},
		{"acl x src -m ip nope", "acl x: address nope"},
	}
	for _, tc := range tests {
		fe := frontend(t, tc.line, "http-request deny if x")
		_, err := NewSet(fe.ACLs).Compile(fe.HTTPRequestRules[0].Cond)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: %v, want %q", tc.line, err, tc.want)
		}
	}
}

func TestNonLayer4(t *testing.T) {
	fe := frontend(t, "acl lo src 127.0.0.1", "acl p path /", "http-request deny if lo TRUE { src -m ip 10.0.0.0/8 }", "http-request deny if lo p", "http-request deny if { path_beg /x }")
	s := NewSet(fe.ACLs)
	for i, want := range []string{"", "path", "path_beg"} {
		if got := s.NonLayer4(fe.HTTPRequestRules[i].Cond); got != want {
			t.Errorf("rule %d: %q, want %q", i, got, want)
		}
	}
}

// TestPipelineTypes: converters apply left to right, and the default
// matcher follows the sample's final type as in HAProxy (sint: int, ip
// addresses: ip, anything else: str).
func TestPipelineTypes(t *testing.T) {
	r := request(t, "GET /Api HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
	tests := []struct {
		acl  string
		want bool
	}{
		{"path,lower /api", true},
		{"path,upper /API", true},
		{"path,lower,upper /API", true},
		{"path,upper,lower /Api", false},
		{"hdr_cnt(x-a) 2", true},        // sint: int match
		{"hdr_cnt(x-a) 1:3", true},      // a range
		{"src 10.0.0.0/8", true},        // address: ip match
		{"src,lower 10.0.0.1", true},    // str after a converter: string equality
		{"src,lower 10.0.0.0/8", false}, // not a network any more
	}
	for _, tc := range tests {
		fe := frontend(t, "acl x "+tc.acl)
		c, err := Compile(fe.ACLs[0])
		if err != nil {
			t.Errorf("%s: %v", tc.acl, err)
			continue
		}
		if got := c.Match(r); got != tc.want {
			t.Errorf("%s = %v, want %v", tc.acl, got, tc.want)
		}
	}
	for typ, want := range map[haproxy.SampleType]haproxy.MatchMethod{haproxy.SampleSInt: haproxy.MatchInt, haproxy.SampleIPv4: haproxy.MatchIP,
		haproxy.SampleIPv6: haproxy.MatchIP, haproxy.SampleStr: haproxy.MatchStr, haproxy.SampleMeth: haproxy.MatchStr,
		haproxy.SampleBool: haproxy.MatchBool} {
		if got := defaultMatch(typ); got != want {
			t.Errorf("defaultMatch(%s) = %s, want %s", typ, got, want)
		}
	}
}
