package haproxycfg

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// connRecorder is a server noting, for each request, which of its
// connections carried it and the request's Connection header; it answers
// with a short body and keeps the connection unless asked to close.
type connRecorder struct {
	mu    sync.Mutex
	conns int
	seen  []string
}

func startConnRecorder(t *testing.T) (*connRecorder, string) {
	r := &connRecorder{}
	addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		r.mu.Lock()
		r.conns++
		id := r.conns
		r.mu.Unlock()
		br := bufio.NewReader(c)
		for {
			c.SetDeadline(time.Now().Add(3 * time.Second))
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			r.mu.Lock()
			r.seen = append(r.seen, fmt.Sprintf("conn %d: %s connection=%q", id, req.URL.Path, req.Header.Get("Connection")))
			r.mu.Unlock()
			if req.Close {
				c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nok\n"))
				return
			}
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\nok\n"))
		}
	})
	return r, addr
}

func (r *connRecorder) take() string {
	time.Sleep(50 * time.Millisecond)
	r.mu.Lock()
	defer r.mu.Unlock()
	out := strings.Join(r.seen, "\n")
	r.seen, r.conns = nil, 0
	return out
}

// TestHTTPKeepAliveOptionDifferential: option http-keep-alive against
// the defaults' option http-server-close or httpclose, in the frontend,
// the backend or both, and `no option http-keep-alive`, beside HAProxy
// 2.6: two requests on one client connection; the responses the client
// gets (Connection headers, the connection kept or closed), and the
// server connections that carried the requests with the Connection
// header each request had there.
func TestHTTPKeepAliveOptionDifferential(t *testing.T) {
	t.Parallel() // its own daemons and servers; it waits more than it computes
	cases := []struct{ name, defaults, fe, be string }{
		{"none", "", "", ""},
		{"server-close in defaults, keep-alive in both", "option http-server-close", "option http-keep-alive", "option http-keep-alive"},
		{"server-close in defaults, keep-alive in the backend", "option http-server-close", "", "option http-keep-alive"},
		{"server-close in defaults, keep-alive in the frontend", "option http-server-close", "option http-keep-alive", ""},
		{"httpclose in defaults, keep-alive in both", "option httpclose", "option http-keep-alive", "option http-keep-alive"},
		{"keep-alive in defaults, server-close in the backend", "option http-keep-alive", "", "option http-server-close"},
		{"keep-alive in defaults, no option in the frontend", "option http-keep-alive", "no option http-keep-alive", ""},
		{"server-close, no option http-keep-alive in the backend", "option http-server-close", "", "no option http-keep-alive"},
	}
	const req = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\nGET /2 HTTP/1.1\r\nHost: h\r\n\r\n"
	for _, tc := range cases {
		var seen [2]string
		var answers [2]string
		for i := range 2 {
			rec, web := startConnRecorder(t)
			cfg := httpHead + "    " + tc.defaults + "\nfrontend fe\n    bind BIND\n    " + tc.fe + "\n    default_backend be\n" +
				"backend be\n    " + tc.be + "\n    server s1 " + web + "\n"
			bind := loopback.FreeAddr(t)
			if i == 0 {
				difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", bind), bind)
			} else {
				requireRuns(t, strings.ReplaceAll(cfg, "BIND", bind))
				runPlan(t, strings.ReplaceAll(cfg, "BIND", bind))
			}
			rec.take() // HAProxy's readiness probe's connection, if any
			out, err := difftest.Exchange(bind, []byte(req), 500*time.Millisecond)
			if err != nil {
				t.Fatal(err)
			}
			answers[i], seen[i] = string(out), rec.take()
		}
		if answers[0] != answers[1] {
			t.Errorf("%s: client\nhaproxy %q\ngoha    %q", tc.name, answers[0], answers[1])
		}
		if seen[0] != seen[1] {
			t.Errorf("%s: server\nhaproxy:\n%s\ngoha:\n%s", tc.name, seen[0], seen[1])
		}
		t.Logf("%s:\n%s", tc.name, seen[0])
	}
}
