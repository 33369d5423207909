package haproxycfg

import (
	"bytes"
	"net"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
)

// connectCloseCases: CONNECT requests with and without Connection:
// close, answered 200 (with and without the server's own close), 407
// with a body (the connection then serves the next request), and pages
// the proxy makes itself (deny, return, redirect, tarpit, 502 for a bad
// answer, 503 without server): HAProxy writes those with the connection
// header of a kept connection, then closes it. (keep-407 comes before
// close-407: after close-407, goha's next request from keep-407's
// client took close-407's idle server connection where HAProxy took
// keep-407's own; the client's bytes were the same.)
var connectCloseCases = []connectCase{
	{name: "close-200", first: "CONNECT c1.example:443 HTTP/1.1\r\nHost: c1.example:443\r\nConnection: close\r\n\r\n", then: "abc",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "close-200-server-close", first: "CONNECT c2.example:443 HTTP/1.1\r\nHost: c2.example:443\r\nConnection: close\r\n\r\n", then: "abc",
		answer: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
	{name: "keep-200-server-close", first: "CONNECT c3.example:443 HTTP/1.1\r\nHost: c3.example:443\r\n\r\n", then: "abc",
		answer: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
	{name: "keep-407", first: "CONNECT c5.example:443 HTTP/1.1\r\nHost: c5.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n",
		answer: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!"},
	{name: "close-407", first: "CONNECT c4.example:443 HTTP/1.1\r\nHost: c4.example:443\r\nConnection: close\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n",
		answer: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!"},
	{name: "close-200-keepalive", first: "CONNECT c6.example:443 HTTP/1.1\r\nHost: c6.example:443\r\nConnection: keep-alive, close\r\n\r\n", then: "abc",
		answer: "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n"},
	{name: "close-http10", first: "CONNECT c7.example:443 HTTP/1.0\r\nConnection: close\r\n\r\n", then: "abc",
		answer: "HTTP/1.0 200 OK\r\n\r\n"},
	{name: "keepalive-http10", first: "CONNECT c8.example:443 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", then: "abc",
		answer: "HTTP/1.0 200 OK\r\n\r\n"},
	{name: "close-deny", first: "CONNECT deny.example:443 HTTP/1.1\r\nHost: deny.example:443\r\nConnection: close\r\n\r\n", then: "abc"},
	{name: "keep-deny", first: "CONNECT deny.example:443 HTTP/1.1\r\nHost: deny.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"},
	{name: "keepalive-http10-deny", first: "CONNECT deny.example:443 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", then: "GET /n HTTP/1.0\r\n\r\n"},
	{name: "http10-deny", first: "CONNECT deny.example:443 HTTP/1.0\r\n\r\n", then: "GET /n HTTP/1.0\r\n\r\n"},
	{name: "keep-return", first: "CONNECT ret.example:443 HTTP/1.1\r\nHost: ret.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"},
	{name: "keep-redirect", first: "CONNECT redir.example:443 HTTP/1.1\r\nHost: redir.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"},
	{name: "keep-tarpit", first: "CONNECT tarpit.example:443 HTTP/1.1\r\nHost: tarpit.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"},
	{name: "keep-502", first: "CONNECT c9.example:443 HTTP/1.1\r\nHost: c9.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n",
		answer: "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n"},
	{name: "close-503", first: "CONNECT none.example:443 HTTP/1.1\r\nHost: none.example:443\r\nConnection: close\r\n\r\n", then: "abc"},
	{name: "keep-503", first: "CONNECT none.example:443 HTTP/1.1\r\nHost: none.example:443\r\n\r\n", then: "GET /n HTTP/1.1\r\nHost: x\r\n\r\n"},
}

// TestConnectCloseMatchesHAProxy: a CONNECT request's Connection header
// (close, keep-alive, none) beside HAProxy 2.6.12: the answer's head as
// the client gets it (a tunnel's 200, a server's 407, HAProxy's own
// deny and 503 pages), the bytes the server gets, and the log lines.
func TestConnectCloseMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	backend := &connectBackend{seen: map[string]*bytes.Buffer{}}
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { backend.serve(c, connectCloseCases) })
	cfg := httpLogHead + `frontend fe
    bind BIND
    http-request deny if { url_beg deny. }
    http-request return status 202 content-type text/plain string hi if { url_beg ret. }
    http-request redirect location /x if { url_beg redir. }
    http-request tarpit if { url_beg tarpit. }
    timeout tarpit 100ms
    use_backend none if { url_beg none. }
    default_backend be
backend be
    server s1 ` + srv + `
backend none
`
	compareConnectCases(t, cfg, backend, connectCloseCases)
}
