package haproxycfg

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// recordServer answers each connection with its name and every byte it
// read until the client was quiet for 150 ms, then closes: what the
// proxy forwarded, and to which server.
func recordServer(t *testing.T, name string) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		var got []byte
		b := make([]byte, 4096)
		for len(got) < 8192 {
			c.SetReadDeadline(time.Now().Add(150 * time.Millisecond))
			n, err := c.Read(b)
			got = append(got, b[:n]...)
			if err != nil {
				break
			}
		}
		c.SetWriteDeadline(time.Now().Add(time.Second))
		fmt.Fprintf(c, "%s:%q", name, got)
	})
}

// tcpHTTPConfig is a tcp frontend whose rules read HTTP fetches (parsed
// from the stream's bytes), its use_backend rules, a backend balancing
// on `hash path` and one sticking on a header.
const tcpHTTPConfig = tcpLogHead + `userlist L
    group g
    user u insecure-password p groups g
frontend fe
    bind BIND
    tcp-request inspect-delay 1s
    log-format "%ci %ft %b/%s %ts v=%[var(txn.v)] m=%[var(txn.m)] p=%[var(txn.p)] h=%[var(txn.h)] u=%[var(txn.u)] c=%[var(txn.c)] a=%[var(txn.a)] x=%[var(txn.x)] abs=%[var(txn.abs)] n=%[var(txn.n)] cm=%[var(txn.cm)] b=%[var(txn.b)] bl=%[var(txn.bl)] bs=%[var(txn.bs)] g=%[var(txn.g)]"
    tcp-request content set-var(txn.v) req.ver if HTTP_1.1 || HTTP_1.0
    tcp-request content reject if { path_beg /admin }
    tcp-request content reject if METH_DELETE
    tcp-request content set-var(txn.m) str(pri) if { method PRI }
    tcp-request content set-var(txn.m) str(get) if METH_GET
    tcp-request content set-var(txn.p) path
    tcp-request content set-var(txn.h) req.hdr(host),lower
    tcp-request content set-var(txn.u) url_param(u)
    tcp-request content set-var(txn.c) req.cook(sid)
    tcp-request content set-var(txn.a) http_auth_type
    tcp-request content set-var(txn.x) req.fhdr(x)
    tcp-request content set-var(txn.abs) str(abs) if HTTP_URL_ABS
    tcp-request content set-var(txn.n) req.hdr_cnt
    tcp-request content set-var(txn.cm) str(yes) if { capture.req.method -m found }
    tcp-request content set-var(txn.b) str(empty) if { req.body -m len 0 } !{ req.body_param(a) -m found }
    tcp-request content set-var(txn.bl) req.body_len
    tcp-request content set-var(txn.g) str(g) if { http_auth_group(L) g }
    tcp-request content set-var(txn.bs) req.body_size
    use_backend api if { path_beg /api }
    use_backend %[req.hdr(x-be)] if { req.hdr(x-be) -m found }
    use_backend def if { path -m found }
    default_backend api
backend api
    server s1 REC1
backend def
    balance hash path
    tcp-request content reject if { path /deny-be } || { req.hdr(x-deny) -m found }
    server s1 REC1
    server s2 REC2
    server s3 REC3
backend st
    stick-table type string len 32 size 10
    stick on req.hdr(x-user)
    server s1 REC1
    server s2 REC2
`

// TestTCPHTTPFetchDifferential: the HTTP request fetches in a tcp
// frontend's content rules, its use_backend conditions and dynamic
// names, a tcp backend's content rules, a tcp backend's `balance hash path` (reached when there is a
// path: HAProxy's hash falls back to round robin without a sample) and
// `stick on req.hdr()`,
// beside HAProxy 2.6.12 with the same raw bytes: both parse the bytes
// buffered as an HTTP/1 head. A complete head gives the values at once,
// a head sent in two parts is waited for, one cut short is waited for
// until the inspect delay ends and then gives none, bytes the parser
// refuses give none at once; HTTP/0.9 reads as HTTP/1.0, the HTTP/2
// preface as method PRI version 2.0, capture.req.method has no value, the
// head has no body (req.body empty, req.body_len and req.body_size 0).
// What the client gets (the server
// that answered and the bytes it got, an obs-fold blanked by both),
// whether the answer waited for the delay, and the log lines (variables,
// backend/server, termination state) are compared.
func TestTCPHTTPFetchDifferential(t *testing.T) {
	t.Parallel()
	cfg := strings.NewReplacer("REC1", recordServer(t, "s1"), "REC2", recordServer(t, "s2"), "REC3", recordServer(t, "s3")).Replace(tcpHTTPConfig)
	ha, goha, haLog, goLog, _ := startBothLoggedStats(t, cfg, "")
	dropStartLines(haLog, goLog)
	for _, send := range []string{
		"GET /api/x?u=1&v=2 HTTP/1.1\r\nHost: A.example\r\nCookie: a=1; sid=9\r\n\r\n",
		"GET /admin HTTP/1.1\r\n\r\n",
		"POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\na=b",
		"POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\na=b\r\n0\r\n\r\n",
		"DELETE /x HTTP/1.1\r\n\r\n",
		"GET /api HTTP/1.1\r\n|Host: b\r\n\r\n",
		"GET /api HTTP/1.1\r\nHost: b\r\n",
		"GET /a HTTP/1.1\r\nBad Header\r\n\r\n",
		"GET /api\r\n\r\n",
		"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
		"GET /f HTTP/1.0\r\nX: a\r\n b\r\n\r\n",
		"GET http://h.example/p?q HTTP/1.1\r\nHost: h.example\r\nAuthorization: Basic dTpw\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
		"GET /h HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
		"hello world\r\n\r\n",
		"GET /auth HTTP/1.1\r\nAuthorization: Basic dTpw\r\n\r\n",
		"GET /auth HTTP/1.1\r\nAuthorization: Basic dTp4\r\n\r\n",
		"GET /ws HTTP/1.1\r\nHost: h\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n",
		"GET /c HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n",
		"CONNECT h:443 HTTP/1.1\r\nHost: h:443\r\n\r\n",
		"GET /x HTTP/1.1\r\nHost: h\r\nX-Bad: a\x01b\r\n\r\n",
		"GET /deny-be HTTP/1.1\r\n\r\n",
		"GET /be HTTP/1.1\r\nX-Deny: 1\r\n\r\n",
		"GET /one HTTP/1.1\r\n\r\n",
		"GET /two HTTP/1.1\r\n\r\n",
		"GET /three HTTP/1.1\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Be: st\r\nX-User: a\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Be: st\r\nX-User: b\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Be: st\r\nX-User: b\r\n\r\n",
		"GET / HTTP/1.1\r\nX-Be: nosuch\r\n\r\n",
	} {
		want, got := bothAtOnce(ha, goha, func(addr string) string {
			start := time.Now()
			out := payloadClient(t, addr, send)
			return fmt.Sprintf("%s (waited %v)", out, time.Since(start) > 900*time.Millisecond)
		})
		if want != got {
			t.Errorf("%q: the client saw\nhaproxy %s\ngoha    %s", send, want, got)
		} else if testing.Verbose() {
			t.Logf("%q: %s", send, want)
		}
		sameLoggedLines(t, send, haLog, goLog, 1)
	}
}

// TestTCPHTTPFetchNoDelayDifferential: without tcp-request inspect-delay
// the content rules and use_backend run at once on what is buffered,
// before a client that waits 100 ms sent anything: an HTTP fetch there
// has no value and nothing is waited for, beside HAProxy 2.6.
func TestTCPHTTPFetchNoDelayDifferential(t *testing.T) {
	t.Parallel()
	cfg := tcpLogHead + `frontend fe
    bind BIND
    log-format "%ci %ft %b/%s %ts"
    tcp-request content reject if { path_beg /admin }
    use_backend api if { path_beg /api }
    default_backend def
backend api
    server s1 REC1
backend def
    server s2 REC2
`
	cfg = strings.NewReplacer("REC1", recordServer(t, "s1"), "REC2", recordServer(t, "s2")).Replace(cfg)
	ha, goha, haLog, goLog, _ := startBothLoggedStats(t, cfg, "")
	dropStartLines(haLog, goLog)
	for _, send := range []string{"GET /admin HTTP/1.1\r\n\r\n", "GET /api HTTP/1.1\r\n\r\n"} {
		want, got := bothAtOnce(ha, goha, func(addr string) string { return payloadClient(t, addr, send) })
		if want != got {
			t.Errorf("%q: the client saw\nhaproxy %s\ngoha    %s", send, want, got)
		}
		sameLoggedLines(t, send, haLog, goLog, 1)
	}
}
