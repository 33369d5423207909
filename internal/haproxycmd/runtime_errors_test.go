package haproxycmd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// badResponses are what the fake server answers, by request path: a chunk
// size that is not hex, a control byte in a header name, a status code
// that is not digits, a head one byte too large for HAProxy's HTX buffer.
var badResponses = map[string]string{
	"/chunk":  "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n",
	"/hdr":    "HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nContent-Length: 0\r\n\r\n",
	"/status": "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
	"/htx":    "HTTP/1.1 200 OK\r\nx-a: " + strings.Repeat("a", 15229) + "\r\nContent-Length: 0\r\n\r\n",
	// let through by accept-invalid-http-response
	"/lax":  "HTTP/1.1 200 OK\r\nBad Name: 1\r\nContent-Length: 2\r\n\r\nok",
	"/laxc": "HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
	// a WebSocket 101 without Sec-WebSocket-Accept (refused after its head)
	"/ws101": "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
}

// startBadServer answers each request with badResponses[path] in one
// write, then waits for the proxy to close (a server that closed first
// would add HAProxy's end-of-stream flag, depending on timing); other
// paths get an empty 200 on a kept-alive connection.
func startBadServer(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				return
			}
			for l := ""; l != "\r\n"; {
				if l, err = r.ReadString('\n'); err != nil {
					return
				}
			}
			bad, ok := badResponses[strings.Fields(line + " /")[1]]
			if !ok {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")
				continue
			}
			io.WriteString(c, bad)
			io.Copy(io.Discard, c)
			return
		}
	})
}

// sendSecond sends ok, reads its answer, then sends bad on the same
// connection and returns the status line answering it.
func sendSecond(t *testing.T, addr, ok, bad string) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(c)
	io.WriteString(c, ok)
	for l := ""; l != "\r\n"; {
		if l, err = r.ReadString('\n'); err != nil {
			t.Fatal(err)
		}
	}
	io.WriteString(c, bad)
	st, _ := r.ReadString('\n')
	return st
}

// `show errors` after the same malformed requests and server responses
// reach HAProxy 2.6 and goha: the captures (event numbers, proxies, other
// ends, servers, buffer figures, error positions, H1 parser states and
// flags, and the dumps) compare byte for byte, dates and the client's
// port masked, for every filter form.
func TestShowErrorsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	srv := startBadServer(t)
	type inst struct{ fe, fe2, lax, li, sock string }
	start := func(bin string) inst {
		dir := t.TempDir()
		in := inst{loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t), filepath.Join(dir, "s.sock")}
		startWithConfig(t, bin, fmt.Sprintf(`global
    stats socket %s level admin
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    default_backend be
frontend fe2
    bind %s
    default_backend be
backend be
    server s1 %s
frontend fel
    bind %s
    option accept-invalid-http-request
    use_backend bel if { path_beg /lax }
    default_backend be
backend bel
    option accept-invalid-http-response
    server s1 %s
listen li
    bind %s
    server s1 %s
`, in.sock, in.fe, in.fe2, srv, in.lax, srv, in.li, srv), in.fe, in.fe2, in.lax, in.li)
		return in
	}
	ha, goha := start("haproxy"), start(gohaproxy)
	mask := regexp.MustCompile(`\[\d\d/\w{3}/\d{4}:\d\d:\d\d:\d\d\.\d{3}\]|(src 127\.0\.0\.1:)\d+`)
	same := func(what string, cmds ...string) {
		t.Helper()
		for _, cmd := range cmds {
			h := mask.ReplaceAllString(haproxytest.StatsCmd(t, ha.sock, cmd), "[date]${1}port")
			g := mask.ReplaceAllString(haproxytest.StatsCmd(t, goha.sock, cmd), "[date]${1}port")
			if h != g {
				diffLines(t, what+": "+cmd, strings.Split(h, "\n"), strings.Split(g, "\n"))
			}
		}
	}
	same("no capture yet", "show errors")
	send := func(toFE2 bool, raw string) {
		t.Helper()
		a, b := ha.fe, goha.fe
		if toFE2 {
			a, b = ha.fe2, goha.fe2
		}
		hr, gr := sendRaw(t, a, raw), sendRaw(t, b, raw)
		if st := func(s string) string { return strings.SplitN(s, "\r\n", 2)[0] }; st(hr) != st(gr) {
			t.Errorf("%q: haproxy %q, goha %q", raw, st(hr), st(gr))
		}
	}
	send(false, "GET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n") // bad byte in a header name
	same("header name", "show errors", "show errors fe", "show errors 2")
	send(true, "G(T / HTTP/1.1\r\nHost: a\r\n\r\n") // bad method token
	same("method", "show errors", "show errors fe2 request", "show errors fe response")
	long := "GET /" + strings.Repeat("a", 100) + "\t\"\\\xe9~ HTTP/1.1\r\nHost: a\r\nX-Long: " + strings.Repeat("b", 90) + "\r\n\r\n"
	send(false, long)                                           // bad version, long lines dumped on several lines
	send(true, "GET / HTTX/1.1\r\nContent-Length: 2\r\n\r\nab") // a version refused after the head
	same("version", "show errors")
	send(true, "GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n1;x\rz\r\n") // bad chunk line
	same("request chunk", "show errors fe2")
	for _, path := range []string{"/chunk", "/hdr", "/status", "/htx"} {
		send(false, "GET "+path+" HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
		same("response "+path, "show errors be", "show errors fe", "show errors 4 response", "show errors fe2")
	}
	// A kept-alive client's second request, and a response on the server
	// connection its first request used.
	for _, bad := range []string{"GET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n", "GET /status HTTP/1.1\r\nHost: a\r\n\r\n"} {
		okReq := "GET /ok HTTP/1.1\r\nHost: a\r\n\r\n"
		if h, g := sendSecond(t, ha.fe2, okReq, bad), sendSecond(t, goha.fe2, okReq, bad); h != g {
			t.Errorf("second request %q: haproxy %q, goha %q", bad, h, g)
		}
		same("second request", "show errors fe2")
	}
	// Heads too large: a whole one whose HTX form leaves less than
	// tune.maxrewrite free (refused once parsed, in MSG_DATA), and one
	// still unfinished when HAProxy's input buffer is full (16320 bytes).
	send(true, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: "+strings.Repeat("b", 15238)+"\r\n\r\n")
	same("head too large for HTX", "show errors fe2")
	send(true, "GET / HTTP/1.1\r\nHost: a\r\nX-Big: "+strings.Repeat("b", 20000)+"\r\n\r\n")
	same("oversized head", "show errors fe2")
	// Let through by accept-invalid-http-request, and captured.
	for _, raw := range []string{"GET /\x80 HTTP/1.1\r\nBad Name: x\r\nConnection: close\r\n\r\n",
		"POST /a HTTP/1.1\r\nBad Name: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc"} {
		if h, g := sendRaw(t, ha.lax, raw), sendRaw(t, goha.lax, raw); !strings.HasPrefix(h, "HTTP/1.1 200") || !strings.HasPrefix(g, "HTTP/1.1 200") {
			t.Errorf("%q: haproxy %.20q, goha %.20q", raw, h, g)
		}
		same("accepted", "show errors fel")
	}
	for _, path := range []string{"/lax", "/laxc"} {
		raw := "GET " + path + " HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
		if h, g := sendRaw(t, ha.lax, raw), sendRaw(t, goha.lax, raw); !strings.HasPrefix(h, "HTTP/1.1 200") || !strings.HasPrefix(g, "HTTP/1.1 200") {
			t.Errorf("%q: haproxy %.20q, goha %.20q", raw, h, g)
		}
		same("accepted response", "show errors bel")
	}
	// A pipelined request behind one that was served: HAProxy's buffer
	// still starts where the first one did.
	send(false, "GET /ok HTTP/1.1\r\nHost: a\r\n\r\nGET / HTTP/1.1\r\nHo\x01st: a\r\n\r\n")
	same("pipelined", "show errors fe request")
	// A listen section holds both directions.
	for _, raw := range []string{"GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1z\r\n",
		"GET /status HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"} {
		sendRaw(t, ha.li, raw)
		sendRaw(t, goha.li, raw)
		same("listen", "show errors li", "show errors li response")
	}
	same("filters", "show errors", "show errors be request", "show errors nosuch", "show errors 0", "show errors 9", "show errors fe bogus",
		"show errors #2", "show errors #4 response", "show errors #99", "show errors -1", "user; show errors", "operator; show errors be")
	if out := haproxytest.StatsCmd(t, goha.sock, "show errors"); !strings.Contains(out, "] : 20\n") ||
		strings.Count(out, "invalid request") != 4 || !strings.Contains(out, "invalid response") {
		t.Errorf("goha did not capture the 20 messages:\n%s", out)
	}
	send(false, "GET /ws101 HTTP/1.1\r\nHost: a\r\nConnection: close, upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
	same("websocket 101 without accept", "show errors be response")
}
