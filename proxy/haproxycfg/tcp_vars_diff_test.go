package haproxycfg

import (
	"strings"
	"testing"
	"time"
)

// TestTCPVarsDifferential: set-var, set-var-fmt and unset-var in
// tcp-request connection, session and content rules, beside HAProxy 2.6.
// In an http frontend the session variables the connection and session
// rules set (a txn variable has no stream to live in there), and what the
// content rules set on each request before its http-request rules, reach
// the backend in headers; in a tcp frontend the content rules' variables
// decide a reject (reject unless they all hold), so a variable goha
// failed to set would refuse the connection.
func TestTCPVarsDifferential(t *testing.T) {
	t.Parallel()
	backend := startHeadRecorder(t)
	httpCfg := httpHead + `frontend fe
    bind BIND
    tcp-request connection set-var(sess.c) src
    tcp-request connection set-var(txn.t) str(conn)
    tcp-request connection set-var-fmt(sess.f) "c-%[var(sess.c)]-%[int(3),add(4)]"
    tcp-request connection set-var(sess.n) int(1) if { src 127.0.0.1 }
    tcp-request connection set-var(sess.u) str(u)
    tcp-request connection unset-var(sess.u)
    tcp-request session set-var(sess.s) int(7)
    tcp-request session set-var(sess.c2,ifnotexists) var(sess.c)
    tcp-request session set-var(sess.c,ifnotexists) str(again)
    tcp-request session set-var(txn.t2) str(sess)
    tcp-request content set-var(txn.h) req.hdr(host)
    tcp-request content set-var(sess.k,ifnotexists) path
    tcp-request content set-var-fmt(txn.m) "%[method]-%[var(txn.h)]-%[var(txn.x)]"
    tcp-request content unset-var(sess.s) if { path /3 }
    http-request set-var(txn.x) str(late)
    http-request set-header x-v "%[var(sess.c)]|%[var(txn.t)]|%[var(sess.f)]|%[var(sess.n)]|%[var(sess.u)]|%[var(sess.s)]|%[var(sess.c2)]|%[var(txn.t2)]"
    http-request set-header x-w "%[var(txn.h)]|%[var(sess.k)]|%[var(txn.m)]"
    http-request set-var(sess.c) str(changed) if { path /2 }
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(httpCfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, httpCfg)
	compareConns(t, ha, goha, []string{
		"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h2\r\n\r\nPOST /3 HTTP/1.1\r\nContent-Length: 0\r\n\r\n",
	})

	tcpCfg := `defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend ft
    bind BIND
    tcp-request inspect-delay 2s
    tcp-request connection set-var(sess.c) src
    tcp-request content set-var(txn.b) str(x)
    tcp-request content set-var(txn.b,ifnotexists) str(y)
    tcp-request content set-var-fmt(txn.f) "%[var(txn.b)]%[var(sess.c),ipmask(8)]"
    tcp-request content set-var(txn.r) int(5)
    tcp-request content unset-var(txn.r) if { var(txn.b) -m str y }
    tcp-request content reject unless { var(txn.b) -m str x } { var(sess.c) -m ip 127.0.0.1 } { var(txn.r) -m int 5 } { var(txn.f) -m str x127.0.0.0 }
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(tcpCfg, "BIND", "127.0.0.1:1"))
	ha, goha = startBoth(t, tcpCfg)
	compareConns(t, ha, goha, []string{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", "GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"})
	// The same rules with a variable made to miss: both reject, nothing
	// reaches the client. (HAProxy ends the connection with a FIN here,
	// goha's content reject with a reset: a difference of the reject,
	// older than these variables.)
	ha, goha = startBoth(t, strings.Replace(tcpCfg, "set-var(txn.r) int(5)", "set-var(txn.r) int(6)", 1))
	for _, addr := range []string{ha, goha} {
		if got, end := exchangeFrom(t, "", addr, "GET / HTTP/1.1\r\nHost: h\r\n\r\n", 2*time.Second); len(got) != 0 || end == "open" {
			t.Errorf("%s: %q (%s), want a rejected connection", addr, got, end)
		}
	}
}
