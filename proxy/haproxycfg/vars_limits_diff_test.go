package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestVarLimitsDifferential: tune.vars.txn-max-size, reqres-max-size and
// sess-max-size beside HAProxy 2.6, on keep-alive connections whose
// requests set variables of every scope from their headers: a variable
// costs 80 bytes once created plus its string's bytes, the levels nest
// (req in txn in sess), a variable that cannot be created stays absent,
// one whose string does not fit still exists as a boolean (HAProxy
// leaves its value corrupted: 0 where its memory was reused, as in the
// cases printed here), an unset and
// the end of a request or transaction give the bytes back, session
// variables stay counted across the connection's requests. The answers
// (the variables as the return rule prints them) are compared.
func TestVarLimitsDifferential(t *testing.T) {
	t.Parallel()
	const fmtVars = `a=%[var(txn.a)] s=%[var(sess.s)] t=%[var(sess.t)] r=%[var(req.r)] q=%[var(req.q)] c=%[var(txn.c)]`
	cfg := `global
    tune.vars.txn-max-size 250
    tune.vars.reqres-max-size 110
    tune.vars.sess-max-size 420
defaults
    mode http
    option disable-h2-upgrade
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend fe
    bind BIND
    http-request set-var(sess.s) req.hdr(x-s) if { req.hdr(x-s) -m found }
    http-request set-var(sess.t) req.hdr(x-t) if { req.hdr(x-t) -m found }
    http-request set-var(txn.a) req.hdr(x-a) if { req.hdr(x-a) -m found }
    http-request set-var(txn.b) req.hdr(x-b) if { req.hdr(x-b) -m found }
    http-request set-var(req.r) req.hdr(x-r) if { req.hdr(x-r) -m found }
    http-request set-var(req.q) str(q) if { req.hdr(x-q) -m found }
    http-request unset-var(txn.a) if { req.hdr(x-unset) -m found }
    http-request set-var(txn.c) str(c) if { req.hdr(x-c) -m found }
    http-request set-var(txn.a) req.hdr(x-a2) if { req.hdr(x-a2) -m found }
    http-request return status 200 content-type text/plain lf-string "` + fmtVars + ` b=%[var(txn.b)]" if { req.hdr(x-print-b) -m found }
    http-request return status 200 content-type text/plain lf-string "` + fmtVars + `" hdr x-b-found yes if { var(txn.b) -m found }
    http-request return status 200 content-type text/plain lf-string "` + fmtVars + `"
`
	ha, goha := startBoth(t, cfg)
	x := func(n int) string { return strings.Repeat("x", n) }
	get := func(hdrs ...string) string {
		return "GET / HTTP/1.1\r\nhost: h\r\n" + strings.Join(hdrs, "") + "\r\n"
	}
	h := func(name string, n int) string { return fmt.Sprintf("%s: %s\r\n", name, x(n)) }
	var answers []string
	for i, conn := range [][]string{
		// txn: a (80+n) then b (80+m); reqres: r (80+n) then q (81)
		{get(h("x-a", 10), h("x-b", 80), "x-print-b: 1\r\n"), get(h("x-a", 10), h("x-b", 81)), get(h("x-a", 10), h("x-b", 90)), get(h("x-a", 100), h("x-b", 1), "x-print-b: 1\r\n")},
		{get(h("x-r", 30), "x-q: 1\r\n"), get(h("x-r", 29), "x-q: 1\r\n"), get(h("x-r", 31), "x-print-b: 1\r\n"), get(h("x-r", 1), "x-q: 1\r\n", h("x-a", 10))},
		// an unset frees: c fits once a is gone
		{get(h("x-a", 60), h("x-b", 20), "x-c: 1\r\n", "x-print-b: 1\r\n"), get(h("x-a", 60), h("x-b", 20), "x-unset: 1\r\n", "x-c: 1\r\n", "x-print-b: 1\r\n")},
		// a replaced value gives its bytes back first
		{get(h("x-a", 100), h("x-a2", 150)), get(h("x-a", 100), h("x-a2", 171)), get(h("x-a", 10), h("x-a2", 170))},
		// session variables stay counted over the connection's requests
		{get(h("x-s", 100)), get(h("x-t", 50), h("x-a", 10)), get(h("x-a", 10), h("x-b", 5), "x-print-b: 1\r\n"), get(h("x-s", 200), h("x-a", 1)), get(h("x-a", 1))},
	} {
		raw := strings.Join(conn, "")
		label := fmt.Sprintf("connection %d", i)
		want := sameAnswer(t, label, ha, goha, raw, 300*time.Millisecond)
		t.Logf("%s: %q", label, want)
		answers = append(answers, string(want))
	}
	// the limits bit in HAProxy: absent, kept and corrupted variables
	all := strings.Join(answers, "")
	for _, w := range []string{"x-b-found: yes", "r=0 ", "a=0 ", " c=c ", "t=xxxxxxxxxx"} {
		if !strings.Contains(all, w) {
			t.Errorf("haproxy's answers lack %q", w)
		}
	}
}
