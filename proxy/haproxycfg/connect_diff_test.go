package haproxycfg

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// connectCase is one HTTP/1 CONNECT exchange: what the client sends
// first (the request, maybe with bytes behind it) and then, once it read
// the answer's head, the answer the server gives (by the CONNECT target's
// host), and what the server does after it.
type connectCase struct {
	name, first, then string
	answer            string
	// serverCloses: the server closes right after its answer.
	serverCloses bool
}

// connectCases: 2xx answers make tunnels (their own Content-Length or
// Transfer-Encoding framing nothing), whatever the client sent behind
// its request waits for the answer; a CONNECT's Content-Length leaves
// the request; a non-2xx answer is an ordinary response, and the bytes
// that follow are the next request.
var connectCases = []connectCase{
	{name: "200", first: "CONNECT t1.example:443 HTTP/1.1\r\nHost: t1.example:443\r\nX-A: 1\r\n\r\n", then: "hello",
		answer: "HTTP/1.1 200 Connection established\r\n\r\n"},
	{name: "early-data", first: "CONNECT t2.example:443 HTTP/1.1\r\nHost: t2.example:443\r\n\r\nEARLY", then: "later",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "200-content-length", first: "CONNECT t3.example:8443 HTTP/1.1\r\nHost: t3.example:8443\r\n\r\n", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n"},
	{name: "200-chunked", first: "CONNECT t4.example:443 HTTP/1.1\r\nHost: t4.example:443\r\n\r\n", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"},
	{name: "204", first: "CONNECT t5.example:443 HTTP/1.1\r\nHost: t5.example\r\n\r\n", then: "abc",
		answer: "HTTP/1.1 204 No Content\r\nX-S: 1\r\n\r\n"},
	{name: "http10", first: "CONNECT t6.example:443 HTTP/1.0\r\n\r\n", then: "abcdefgh",
		answer: "HTTP/1.0 200 OK\r\n\r\n"},
	{name: "request-content-length", first: "CONNECT t7.example:443 HTTP/1.1\r\nHost: t7.example:443\r\nContent-Length: 3\r\n\r\nxyz", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "request-content-length-list", first: "CONNECT t12.example:443 HTTP/1.1\r\nHost: t12.example:443\r\nContent-Length: 3, 3\r\n\r\nxyz", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "request-content-length-twice", first: "CONNECT t13.example:443 HTTP/1.1\r\nHost: t13.example:443\r\nContent-Length: 3\r\ncontent-length:  3\r\n\r\nxyz", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "request-chunked", first: "CONNECT t11.example:443 HTTP/1.1\r\nHost: t11.example:443\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nxyz\r\n0\r\n\r\n", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\n\r\n"},
	{name: "connection-close", first: "CONNECT t8.example:443 HTTP/1.1\r\nHost: t8.example:443\r\nConnection: close\r\n\r\n", then: "abcdefgh",
		answer: "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
	{name: "407-then-get", first: "CONNECT t9.example:443 HTTP/1.1\r\nHost: t9.example:443\r\n\r\n", then: "GET /next HTTP/1.1\r\nHost: x\r\n\r\n",
		answer: "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 3\r\n\r\nno!"},
	{name: "server-closes", first: "CONNECT t10.example:443 HTTP/1.1\r\nHost: t10.example:443\r\n\r\n",
		answer: "HTTP/1.1 200 OK\r\n\r\n", serverCloses: true},
	// WebSocket upgrades from HTTP/1 clients: HAProxy's H1 multiplexer
	// wants a Sec-WebSocket-Accept on the 101 (502 PH without), and does
	// not check it against a key the client sent.
	{name: "websocket", first: "GET /ws1 HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", then: "frame",
		answer: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n"},
	{name: "websocket-wrong-accept", first: "GET /ws2 HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", then: "frame",
		answer: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: d3Jvbmc=\r\n\r\n"},
	{name: "websocket-no-accept", first: "GET /ws3 HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n", then: "GET /next HTTP/1.1\r\nHost: x\r\n\r\n",
		answer: "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n"},
}

// connectBackend answers each connection's first request with the
// answer of its CONNECT target's host; a 2xx starts a tunnel where it
// sends back what it gets in upper case and, at the proxy's FIN, "bye"
// before closing. Otherwise it answers later requests with "ok". It
// records every byte received, by case.
type connectBackend struct {
	mu   sync.Mutex
	seen map[string]*bytes.Buffer
}

func (b *connectBackend) serve(c net.Conn, cases []connectCase) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	br := bufio.NewReader(c)
	head, err := readHead(br)
	if err != nil {
		return // a readiness probe
	}
	var tc *connectCase
	for i := range cases {
		host := strings.Fields(cases[i].first)[1]
		host, _, _ = strings.Cut(host, ":")
		if strings.Contains(head, " "+host) {
			tc = &cases[i]
		}
	}
	if tc == nil {
		return
	}
	rec := &bytes.Buffer{}
	b.mu.Lock()
	b.seen[tc.name] = rec
	b.mu.Unlock()
	note := func(p []byte) {
		b.mu.Lock()
		rec.Write(p)
		b.mu.Unlock()
	}
	note([]byte(head))
	c.Write([]byte(tc.answer))
	if tc.serverCloses {
		time.Sleep(100 * time.Millisecond)
		return
	}
	if code := strings.Split(tc.answer, " ")[1]; code[0] != '2' && code != "101" {
		for {
			h, err := readHead(br)
			if err != nil {
				return
			}
			note([]byte(h))
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
		}
	}
	buf := make([]byte, 4096)
	for {
		n, err := br.Read(buf)
		if n > 0 {
			note(buf[:n])
			c.Write(bytes.ToUpper(buf[:n]))
		}
		if err != nil {
			c.Write([]byte("bye"))
			return
		}
	}
}

// connectClient plays a case's client: the first bytes, the answer's
// head read, then the next bytes and a half-close, and everything read
// until the proxy's end.
func connectClient(addr string, tc connectCase) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err.Error()
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(8 * time.Second))
	c.Write([]byte(tc.first))
	br := bufio.NewReader(c)
	head, err := readHead(br)
	if err != nil {
		return "no answer: " + head + err.Error()
	}
	time.Sleep(150 * time.Millisecond)
	if tc.then != "" {
		c.Write([]byte(tc.then))
	}
	time.Sleep(150 * time.Millisecond)
	c.(*net.TCPConn).CloseWrite()
	rest, err := io.ReadAll(br)
	out := head + string(rest)
	if err != nil {
		out += " [" + endOf(err) + "]"
	}
	return out
}

// TestConnectTunnelMatchesHAProxy: HTTP/1.1 CONNECT through an HTTP/1
// frontend beside HAProxy 2.6.12: a 2xx answer turns the connection into
// a tunnel both ways (the bytes the client sent behind its request going
// through once the answer came), a non-2xx does not; the bytes at the
// client and at the server, and the log lines.
func TestConnectTunnelMatchesHAProxy(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	backend := &connectBackend{seen: map[string]*bytes.Buffer{}}
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) { backend.serve(c, connectCases) })
	cfg := httpLogHead + `frontend fe
    bind BIND
    default_backend be
backend be
    server s1 ` + srv + `
`
	compareConnectCases(t, cfg, backend, connectCases)
}

// compareConnectCases starts haproxy and goha on cfg and plays each case
// on both, comparing what the client got, what backend saw and the log
// lines.
func compareConnectCases(t *testing.T, cfg string, backend *connectBackend, cases []connectCase) {
	t.Helper()
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	drainLines(haLog, 300*time.Millisecond)
	drainLines(goLog, 50*time.Millisecond)
	for _, tc := range cases {
		var got [2]string
		var seen [2]string
		for i, addr := range []string{ha, goha} {
			got[i] = connectClient(addr, tc)
			time.Sleep(50 * time.Millisecond) // the server's last bytes
			backend.mu.Lock()
			if r := backend.seen[tc.name]; r != nil {
				seen[i] = r.String()
			}
			delete(backend.seen, tc.name)
			backend.mu.Unlock()
		}
		if got[0] != got[1] {
			t.Errorf("%s: the client got\nhaproxy %q\ngoha    %q", tc.name, got[0], got[1])
		}
		if seen[0] != seen[1] {
			t.Errorf("%s: the server got\nhaproxy %q\ngoha    %q", tc.name, seen[0], seen[1])
		}
		w, g := loggedBoth(haLog, goLog, true)
		if strings.Join(w, "\n") != strings.Join(g, "\n") {
			t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", tc.name, w, g)
		}
		t.Logf("%s: %q; %q; server %q", tc.name, got[0], w, seen[0])
	}
}
