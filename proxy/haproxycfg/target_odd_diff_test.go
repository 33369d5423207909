package haproxycfg

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// targetOddCfg logs, for each request, its line, the log-format's URI
// parts and the fetches that read the target, and sends the same
// fetches back in a response header; its server is a recorder.
const targetOddCfg = `global
    log LOG local0
defaults
    mode http
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    log-format "%r|%HU|%HP|%HQ|%HV|%[var(txn.p)]|%[var(txn.b)]|%ST|%B"
    http-request set-var(txn.p) path
    http-request set-var(txn.u) url
    http-request set-var(txn.b) base
    http-request set-var(txn.pq) pathq
    http-request set-var(txn.q) query
    http-request set-var(txn.h) req.hdr(host)
    http-response set-header x-p "p=[%[var(txn.p)]] u=[%[var(txn.u)]] b=[%[var(txn.b)]] pq=[%[var(txn.pq)]] q=[%[var(txn.q)]] h=[%[var(txn.h)]]"
    default_backend be
backend be
    server o ORIGIN
`

// targetOddRequests: targets in none of the origin, absolute and
// asterisk forms. HAProxy 2.6 reads anything not starting with '/' or
// '*' as an absolute URI whose scheme may be missing: its authority (up
// to the first '/', after any userinfo) must then equal Host exactly
// (no default port rule without a scheme), and the target is forwarded
// as it is; a target starting with '*' is forwarded too. '#' stays
// refused.
var targetOddRequests = []string{
	"GET h.example/a/b HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET h.example/a/b HTTP/1.1\r\nHost: H.EXAMPLE\r\n\r\n",
	"GET h.example/a/b HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET h.example/a/b HTTP/1.1\r\n\r\n",
	"GET h.example/a/b?x=1 HTTP/1.0\r\n\r\n",
	"GET h.example:80/x HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET h.example/x HTTP/1.1\r\nHost: h.example:80\r\n\r\n",
	"GET u@h.example/x HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET a:b HTTP/1.1\r\nHost: a:b\r\n\r\n",
	"GET a:b HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET a:b HTTP/1.1\r\n\r\n",
	"GET a:b/c?x=1 HTTP/1.1\r\nHost: a:b\r\n\r\n",
	"GET h: HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET http:x HTTP/1.1\r\nHost: http:x\r\n\r\n",
	"GET http:/a HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET 1http://h/x HTTP/1.1\r\nHost: 1http:\r\n\r\n",
	"GET //x HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET //x/y?z HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET ?q HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET ?q HTTP/1.1\r\nHost: ?q\r\n\r\n",
	"GET ?q=1 HTTP/1.1\r\n\r\n",
	"GET x HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET @ HTTP/1.1\r\nHost: x\r\n\r\n",
	"GET a@ HTTP/1.1\r\nHost: \r\n\r\n",
	"GET *x HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET ** HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET *?a=b HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET h#x HTTP/1.1\r\n\r\n",
	"GET /a#f HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET a/b?x#y HTTP/1.1\r\nHost: a\r\n\r\n",
	"GET http://h/#x HTTP/1.1\r\nHost: h\r\n\r\n",
	"OPTIONS h.example HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"POST h.example/p HTTP/1.1\r\nHost: h.example\r\nContent-Length: 3\r\n\r\nabc",
}

// TestOddTargetsMatchHAProxy sends each odd target to HAProxy 2.6 and to
// goha, one after the other before the same recording server: the bytes
// at the client (Date-free), at the server and the log lines (request
// line, %HU, %HP, %HQ, %HV, path and base) must be equal.
func TestOddTargetsMatchHAProxy(t *testing.T) {
	t.Parallel()
	rec := startRecorder(t)
	cfg := strings.ReplaceAll(targetOddCfg, "ORIGIN", rec.ln.Addr().String())
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, req := range targetOddRequests {
		req = strings.Replace(req, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1)
		rec.reset(nil, false)
		want, _ := exchangeFrom(t, "", ha, req, 300*time.Millisecond)
		time.Sleep(50 * time.Millisecond)
		wantSrv := rec.bytes()
		rec.reset(nil, false)
		got, _ := exchangeFrom(t, "", goha, req, 300*time.Millisecond)
		time.Sleep(50 * time.Millisecond)
		gotSrv := rec.bytes()
		if !bytes.Equal(want, got) {
			t.Errorf("%q\nclient haproxy: %q\nclient goha:    %q", req, want, got)
		}
		if !bytes.Equal(wantSrv, gotSrv) {
			t.Errorf("%q\nserver haproxy: %q\nserver goha:    %q", req, wantSrv, gotSrv)
		}
		sameLoggedLines(t, req, haLog, goLog, 1)
	}
}
