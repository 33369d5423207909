package haproxycfg

import (
	"fmt"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// varConfigs set variables of each scope from the request and read them
// back in conditions, %[...] values and later rules.
var varConfigs = []string{
	// a txn variable from a header, then deny / set-header from it
	`http-request set-var(txn.x) req.hdr(x)
    http-request set-header x-f-a %[var(txn.x)]
    http-request deny deny_status 401 if { var(txn.x) -m str abc }
    http-request set-header x-f-b %[var(txn.nope,dflt)]|%[var(txn.nope)]`,
	// types kept: an integer, a bool, an address, a method
	`http-request set-var(txn.n) req.hdr_cnt(x)
    http-request set-var(req.b) req.hdr(x),length,bool
    http-request set-var(txn.ip) src
    http-request set-var(sess.m) method
    http-request set-header x-f-n %[var(txn.n),add(1)]
    http-request set-header x-f-b %[var(req.b)]|%[var(res.b)]
    http-request set-header x-f-ip %[var(txn.ip),ipmask(8)]
    http-request set-header x-f-m %[var(sess.m),lower]
    http-request deny deny_status 429 if { var(txn.n) -m int gt 1 }`,
	// set-var-fmt, unset-var, a variable overwritten, then read after a
	// header edit
	`http-request set-var-fmt(txn.f) "v=%[req.hdr(x)]-%[path]"
    http-request set-header x-f-f %[var(txn.f)]
    http-request set-var(txn.f) str(second)
    http-request set-header x-f-g %[var(txn.f)]
    http-request unset-var(txn.f) if { req.hdr(x) abc }
    http-request set-header x-f-h %[var(txn.f,gone)]
    http-request set-header x 7
    http-request set-var(txn.y) req.hdr(x),mul(6)
    http-request deny deny_status 403 if { var(txn.y) -m int 42 } { path /nope }
    http-request set-header x-f-y %[var(txn.y)]`,
	// a variable that stays unset when its expression has no sample
	`http-request set-var(txn.z) str(kept)
    http-request set-var(txn.z) req.hdr(nope)
    http-request set-header x-f-z %[var(txn.z)]
    http-request set-var(proc.p) str(p1) if { req.hdr(x) abc }
    http-request set-header x-f-p %[var(proc.p,none)]`,
	// the converters that read or write variables
	`http-request set-var(txn.a) req.hdr(x)
    http-request set-var(txn.n) int(5)
    http-request set-header x-f-c %[req.hdr(x),strcmp(txn.a)]|%[str(abd),strcmp(txn.a)]|%[str(ab),strcmp(txn.a)]|%[str(zzzz),strcmp(txn.a)]|%[str(a),strcmp(txn.none)]
    http-request set-header x-f-s %[req.hdr(x),secure_memcmp(txn.a)]|%[str(abc),secure_memcmp(txn.a)]|%[str(abc),secure_memcmp(txn.none)]
    http-request set-header x-f-k %[str(L),concat(<,txn.a,>)]|%[str(L),concat(<,txn.none,>)]|%[int(3),concat(,txn.n,)]
    http-request set-header x-f-o %[int(7),add(txn.n)]|%[int(7),sub(txn.n)]|%[int(7),mul(txn.n)]|%[int(7),div(txn.n)]|%[int(7),mod(txn.n)]|%[int(7),and(txn.n)]|%[int(7),or(txn.n)]|%[int(7),xor(txn.n)]|%[int(7),add(txn.none)]|%[int(7),add(txn.a)]
    http-request set-header x-f-v %[req.hdr(x),lower,set-var(txn.lv),length]|%[var(txn.lv)]
    http-request set-header x-f-u %[str(q),unset-var(txn.lv)]|%[var(txn.lv,gone)]
    http-request deny deny_status 429 if { req.hdr(x),upper,set-var(req.up) -m found } { var(req.up) -m str 1 }
    http-request deny deny_status 401 if { int(7),sub(txn.n) 2 } { req.hdr(x),strcmp(txn.a) 0 } { path /nope }`,
}

// TestVarsDifferential: http-request set-var, set-var-fmt, unset-var and
// the var() fetch against HAProxy 2.6: the status and the request head
// the backend receives must be identical.
func TestVarsDifferential(t *testing.T) {
	t.Parallel()
	reqs := []string{
		"GET /p/q?a=1 HTTP/1.1\r\nHost: t\r\nX: abc\r\nConnection: close\r\n\r\n",
		"GET /p/q HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
		"POST /p/q HTTP/1.1\r\nHost: t\r\nx: 1\r\nX: 2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
		"GET /nope HTTP/1.1\r\nHost: t\r\nX: \r\nConnection: close\r\n\r\n",
	}
	sameHeadsPerRules(t, varConfigs, reqs)
}

// TestVarsLifetimeDifferential: on one keep-alive connection a sess
// variable survives to the next request and txn and req variables do
// not, as in HAProxy 2.6.
func TestVarsLifetimeDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	cfg := httpHead +
		"frontend fe\n    bind BIND\n" +
		"    http-request set-header x-f-s %[var(sess.c)]|%[var(txn.t)]|%[var(req.r)]\n" +
		"    http-request set-var(sess.c) req.hdr(x) if { req.hdr(x) -m found }\n" +
		"    http-request set-var(txn.t) str(t1)\n" +
		"    http-request set-var(req.r) str(r1)\n" +
		"    default_backend be\nbackend be\n    server s1 " + backend + "\n"
	ha, goha := startBoth(t, cfg)
	req := "GET /a HTTP/1.1\r\nHost: t\r\nX: one\r\n\r\n" + "GET /b HTTP/1.1\r\nHost: t\r\n\r\n" +
		"GET /c HTTP/1.1\r\nHost: t\r\nX: two\r\n\r\n" + "GET /d HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
	bodies := func(addr string) []string {
		raw, err := difftest.Exchange(addr, []byte(req), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := difftest.ParseAll(raw)
		if err != nil {
			t.Fatalf("%v %q", err, raw)
		}
		var out []string
		for _, r := range rs {
			out = append(out, fmt.Sprint(r.Status)+" "+r.Body)
		}
		return out
	}
	want, got := bodies(ha), bodies(goha)
	if len(want) != 4 {
		t.Fatalf("haproxy answered %d of 4 requests: %q", len(want), want)
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("\n haproxy %q\n goha    %q", want, got)
	}
}
