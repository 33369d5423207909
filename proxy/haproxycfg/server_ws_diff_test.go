package haproxycfg

import (
	"bufio"
	"bytes"
	"crypto/sha1"
	"encoding/base64"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"golang.org/x/net/http2"
)

// wsBothServer serves HTTP/2 in clear text (h2WSServer, extended CONNECT
// offered) on connections starting with the HTTP/2 preface, and a
// WebSocket upgrade in HTTP/1.1 on the others (a request without a key:
// a 403): a 101 with the accept of its key, then the client's bytes back in upper case and "bye" at its
// end. An HTTP/1.1 request is recorded by path in h2.seen, "h1" and its
// head, then the bytes it sent.
func wsBothServer(h2 *h2WSServer) func(net.Conn) {
	return func(c net.Conn) {
		br := bufio.NewReader(c)
		c.SetDeadline(time.Now().Add(8 * time.Second))
		if p, err := br.Peek(len(http2.ClientPreface)); err == nil && string(p) == http2.ClientPreface {
			h2.serve(peekedConn{c, br})
			return
		}
		defer c.Close()
		head, err := readHead(br)
		if err != nil {
			return
		}
		path := strings.Fields(head + " x x")[1]
		b := &strings.Builder{}
		b.WriteString("h1 " + head)
		h2.mu.Lock()
		h2.seen[path] = b
		h2.mu.Unlock()
		key := ""
		for _, l := range strings.Split(head, "\r\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.EqualFold(k, "sec-websocket-key") {
				key = strings.TrimSpace(v)
			}
		}
		if key == "" {
			io.WriteString(c, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
			return
		}
		sum := sha1.Sum([]byte(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"))
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: "+
			base64.StdEncoding.EncodeToString(sum[:])+"\r\n\r\n")
		buf := make([]byte, 512)
		for {
			n, err := br.Read(buf)
			if n > 0 {
				h2.mu.Lock()
				b.WriteString("data " + string(buf[:n]) + "\n")
				h2.mu.Unlock()
				c.Write(bytes.ToUpper(buf[:n]))
			}
			if err != nil {
				c.Write([]byte("bye"))
				return
			}
		}
	}
}

// peekedConn reads what its bufio.Reader holds first.
type peekedConn struct {
	net.Conn
	r *bufio.Reader
}

func (c peekedConn) Read(p []byte) (int, error) { return c.r.Read(p) }

// TestServerWSMatchesHAProxy: the server option `ws` beside HAProxy
// 2.6.12, for an HTTP/1.1 client's WebSocket upgrade and then a plain
// request through each backend: `ws h1` on a `proto h2` server takes the
// upgrade on a fresh HTTP/1.1 connection (the 101 and the tunnel both
// ways) while the plain request goes over HTTP/2; `ws auto` and `ws h2`
// there send an extended CONNECT, as without the option; `ws h1` on an
// HTTP/1.1 server changes nothing. What the client got, what the server
// saw (HTTP/1.1 head, or HTTP/2 frames), the log lines.
func TestServerWSMatchesHAProxy(t *testing.T) {
	t.Parallel()
	srv := &h2WSServer{seen: map[string]*strings.Builder{}}
	addr := loopback.ServeEach(t, loopback.Listen(t), wsBothServer(srv))
	cfg := httpLogHead + `frontend fe
    bind BIND
    use_backend %[req.hdr(x-b)]
backend wsh1
    server s1 ` + addr + ` proto h2 ws h1
backend wsauto
    server s1 ` + addr + ` proto h2 ws auto
backend wsh2
    server s1 ` + addr + ` proto h2 ws h2
backend h1ws
    server s1 ` + addr + ` ws h1
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	drainLines(haLog, 300*time.Millisecond)
	drainLines(goLog, 50*time.Millisecond)
	for _, be := range []string{"wsh1", "wsauto", "wsh2", "h1ws"} {
		for _, path := range []string{"/ws-" + be, "/head-" + be} {
			req := "GET " + path + " HTTP/1.1\r\nHost: a.example\r\nX-B: " + be + "\r\nConnection: upgrade\r\nUpgrade: websocket\r\n" +
				"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n"
			if strings.HasPrefix(path, "/head") {
				req = "HEAD " + path + " HTTP/1.1\r\nHost: a.example\r\nX-B: " + be + "\r\n\r\n"
			}
			var got, seen [2]string
			for i, a := range []string{ha, goha} {
				got[i] = h1WSClient(a, req)
				time.Sleep(50 * time.Millisecond)
				srv.mu.Lock()
				if b := srv.seen[path]; b != nil {
					seen[i] = b.String()
				}
				delete(srv.seen, path)
				srv.mu.Unlock()
			}
			if be == "wsh1" && path == "/ws-wsh1" && !strings.HasPrefix(seen[0], "h1 GET /ws-wsh1 HTTP/1.1") ||
				be == "wsh1" && path == "/head-wsh1" && !strings.HasPrefix(seen[0], "settings") {
				t.Fatalf("%s: HAProxy's server side is not what the test expects: %q", path, seen[0])
			}
			if got[0] != got[1] {
				t.Errorf("%s: the client got\nhaproxy %q\ngoha    %q", path, got[0], got[1])
			}
			if seen[0] != seen[1] {
				t.Errorf("%s: the server saw\nhaproxy %s\ngoha    %s", path, seen[0], seen[1])
			}
			w, g := loggedBoth(haLog, goLog, true)
			if strings.Join(w, "\n") != strings.Join(g, "\n") {
				t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", path, w, g)
			}
			t.Logf("%s: %q\n%s%q", path, got[0], seen[0], w)
		}
	}
}

// TestServerWSRefusals: the `ws` settings goha does not run are refused
// with their reason, the others build without a notice.
func TestServerWSRefusals(t *testing.T) {
	head := "defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\nbackend be\n"
	for line, want := range map[string]string{
		"server s1 127.0.0.1:1 ws h2":                           "ws h2 without proto h2",
		"server s1 127.0.0.1:1 ssl verify none alpn h2 ws h1":   "ws h1 with alpn",
		"server s1 127.0.0.1:1 ssl verify none alpn h2 ws auto": "ws auto with alpn",
		"server s1 127.0.0.1:1 proto h2 ws h1":                  "",
		"server s1 127.0.0.1:1 ws h1":                           "",
		"server s1 127.0.0.1:1 ssl verify none ws auto":         "",
	} {
		n := strings.Join(notices(buildText(t, head+"    "+line+"\n")), "\n")
		if want == "" && n != "" || !strings.Contains(n, want) {
			t.Errorf("%s: notices %q, want %q", line, n, want)
		}
	}
}
