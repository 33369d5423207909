package proxy

import (
	"bufio"
	"errors"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// errBackend answers each connection's first request with the response
// its path names: "/good" a 200, "/slow" nothing, anything else garbage.
func errBackend(t *testing.T) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		buf := make([]byte, 4096)
		n, _ := c.Read(buf)
		switch req := string(buf[:n]); {
		case strings.Contains(req, " /good "):
			io.WriteString(c, "HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
		case strings.Contains(req, " /slow "):
			time.Sleep(time.Second)
			return
		default:
			io.WriteString(c, "garbage\r\n\r\n")
		}
		c.Read(buf) // until the proxy closes
	})
}

// statusOn sends one request on c and returns the status line's code.
func statusOn(t *testing.T, c net.Conn, br *bufio.Reader, req string) string {
	t.Helper()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatalf("write %q: %v", req, err)
	}
	resp, body := readResponse(t, br, "GET")
	_ = body
	return resp.Status[:3]
}

// After a 502 (invalid response) or a 504 (server timeout) the client
// keeps its connection, as with HAProxy 2.6 (checked with raw sockets: the
// next request on the same connection is served).
func TestKeepAliveAfterServerError(t *testing.T) {
	cfg := seedConfig(errBackend(t))
	cfg.Backends[0].Timeouts.Server = 200 * time.Millisecond
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	for _, step := range [][2]string{{"/bad", "502"}, {"/good", "200"}, {"/slow", "504"}, {"/good", "200"}} {
		if got := statusOn(t, c, br, "GET "+step[0]+" HTTP/1.1\r\nHost: t\r\n\r\n"); got != step[1] {
			t.Fatalf("%s: status %s, want %s", step[0], got, step[1])
		}
	}
}

// A denied request without a body leaves nothing to read: the connection
// serves the next request (HAProxy 2.6 keeps it open after its 403).
func TestKeepAliveAfterDeny(t *testing.T) {
	cfg := seedConfig(errBackend(t))
	cfg.Frontends[0].RequestRules = []HeaderRule{{Action: Deny, Cond: denyAdminPath{}}}
	_, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	br := bufio.NewReader(c)
	if got := statusOn(t, c, br, "GET /admin HTTP/1.1\r\nHost: t\r\n\r\n"); got != "403" {
		t.Fatalf("status %s, want 403", got)
	}
	if got := statusOn(t, c, br, "GET /good HTTP/1.1\r\nHost: t\r\n\r\n"); got != "200" {
		t.Fatalf("status %s, want 200", got)
	}
}

// An oversized head is answered 400 and the connection ends with a FIN:
// the bytes the client keeps sending are drained, not answered with a
// reset that could destroy the 400 before the client reads it.
func TestOversizedHeadEndsWithFIN(t *testing.T) {
	_, addr := startProxy(t, seedConfig(errBackend(t)))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	big := "GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + strings.Repeat("b", 200<<10) + "\r\n\r\n"
	go io.WriteString(c, big) // more than the proxy reads before refusing
	time.Sleep(100 * time.Millisecond)
	got, err := io.ReadAll(c)
	if errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("connection reset after %q", got)
	}
	if err != nil || !strings.HasPrefix(string(got), "HTTP/1.1 400 ") || !strings.HasSuffix(string(got), "</html>\n") {
		t.Fatalf("read %q, %v; want the whole 400 page then EOF", got, err)
	}
}
