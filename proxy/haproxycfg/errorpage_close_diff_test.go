package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestErrorPageConnectionDifferential: the 502 and 504 pages a failed
// exchange gets carry the connection header HAProxy's H1 layer gives
// them: close when the client asked to close (Connection: close, or
// HTTP/1.0 without keep-alive), keep-alive to an HTTP/1.0 client that
// keeps its connection, nothing to an HTTP/1.1 one. goha used to say
// nothing in every case.
func TestErrorPageConnectionDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	bad := fakeServer(t, "HTTP/1.1 200 OK\r\nBad Header\r\n\r\n")
	silent := fakeServer(t, "")
	ha, goha := startBoth(t, `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 300ms
frontend fe
    bind BIND
    use_backend bad if { path /bad }
    default_backend silent
backend bad
    server s `+bad+`
backend silent
    server s `+silent+`
`)
	for _, path := range []string{"/bad", "/silent"} {
		for _, head := range []string{
			"GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
			"GET " + path + " HTTP/1.0\r\n\r\n",
			"GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n",
			"GET " + path + " HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		} {
			sameAnswerAtOnce(t, strings.ReplaceAll(head, "\r\n", " "), ha, goha, head, time.Second)
			// A second request behind the first: served or not, as HAProxy.
			sameAnswerAtOnce(t, "twice "+strings.ReplaceAll(head, "\r\n", " "), ha, goha, head+head, time.Second)
		}
	}
}

// fakeServer answers every connection's first read with answer (nothing
// when empty) and keeps the connection open until the proxy closes it or
// the test ends.
func fakeServer(t *testing.T, answer string) string {
	t.Helper()
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		buf := make([]byte, 4096)
		if _, err := c.Read(buf); err != nil {
			return
		}
		if answer != "" {
			c.Write([]byte(answer))
		}
		c.Read(buf)
	})
}
