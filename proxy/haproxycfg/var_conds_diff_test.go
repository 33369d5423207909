package haproxycfg

import (
	"strings"
	"testing"
)

// TestVarConditionsDifferential: set-var and set-var-fmt with each
// condition (ifexists, ifnotexists, ifempty, ifnotempty, ifset,
// ifnotset, ifgt, iflt), including a variable a failed condition created
// unset, unset-var, process and session variables across kept-alive
// requests, beside HAProxy 2.6: the header listing every variable that
// the recording backend receives must be identical.
// Not a parallel test: proc variables are process-wide, shared by every
// goha this test binary runs at once.
func TestVarConditionsDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	rules := []string{
		`set-var(txn.a,ifnotempty) req.hdr(x-a)`,
		`set-var(txn.a,ifexists) str(ex) if { req.hdr(x-c) 1 }`,
		`set-var(txn.b,ifnotexists) str(first)`,
		`set-var(txn.b,ifnotexists) str(second)`,
		`set-var(txn.c,ifset) str(c1)`,
		`set-var(txn.c,ifnotset) str(c2)`,
		`set-var(txn.c,ifnotset) str(c3)`,
		`set-var(txn.d) int(5)`,
		`set-var(txn.d,ifgt) int(7)`,
		`set-var(txn.d,ifgt) int(3)`,
		`set-var(txn.d,iflt) int(9)`,
		`set-var(txn.d,iflt) str(abc) if { req.hdr(x-c) 2 }`,
		`set-var(txn.e,ifempty) str(x)`,
		`set-var(txn.e,ifexists) str(y)`,
		`set-var(txn.f,ifempty) int(1)`,
		`set-var(txn.f,ifnotexists) str(z)`,
		`set-var(txn.h,ifempty) req.hdr(x-a)`,
		`set-var-fmt(txn.g,ifnotempty) "%[req.hdr(x-a)]"`,
		`set-var-fmt(txn.g,ifempty,ifexists) "e%[req.hdr(x-a)]"`,
		`unset-var(txn.b)`,
		`set-var(txn.b,ifexists) str(again)`,
		`set-var(proc.p,ifexists,ifnotset) req.hdr(x-a)`,
		`set-var(sess.s,ifnotexists) req.hdr(x-a)`,
		`set-var(sess.t,ifnotempty,ifnotset) req.hdr(x-a)`,
		`set-var(req.r,iflt) int(4)`,
		`set-var(req.r,iflt) int(2)`,
		`set-var(txn.i,ifgt) src`,
		`set-var(txn.i,ifgt,ifexists) bool(1)`,
	}
	cfg := httpHead +
		"frontend fe\n    bind BIND\n    http-request " + strings.Join(rules, "\n    http-request ") + "\n" +
		`    http-request set-header x-v "%[var(txn.a)]|%[var(txn.b)]|%[var(txn.c)]|%[var(txn.d)]|%[var(txn.e)]|` +
		`%[var(txn.f)]|%[var(txn.g)]|%[var(txn.h)]|%[var(proc.p)]|%[var(sess.s)]|%[var(sess.t)]|%[var(req.r)]|%[var(txn.i)]"` +
		"\n    default_backend be\nbackend be\n    server s1 " + backend + "\n"
	ha, goha := startBoth(t, cfg)
	var conns []string
	for _, a := range []string{"", "X-A: v\r\n", "X-A: \r\n"} {
		for _, c := range []string{"", "X-C: 1\r\n", "X-C: 2\r\n"} {
			conns = append(conns, "GET / HTTP/1.1\r\nHost: h\r\n"+a+c+"\r\n"+
				"GET /2 HTTP/1.1\r\nHost: h\r\nX-A: w\r\n\r\nGET /3 HTTP/1.1\r\nHost: h\r\n"+c+"\r\n")
		}
	}
	compareConns(t, ha, goha, conns[:1]) // proc.p is set by the first connection
	compareConns(t, ha, goha, conns[1:])
}
