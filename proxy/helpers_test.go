package proxy

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"net/netip"

	"github.com/goha-lb/goha/proxy/balance"
)

// testRR is a plain round robin used until proxy/balance grows its
// algorithms; it only relies on the Balancer interface.
type testRR struct {
	mu      sync.Mutex
	servers []*balance.Server
	next    int
}

func newTestBalancer(spec balance.Spec, servers []*balance.Server) (balance.Balancer, error) {
	if algo := spec.Algorithm; algo != "roundrobin" {
		return nil, fmt.Errorf("test balancer: %s not supported", algo)
	}
	return &testRR{servers: servers}, nil
}

func (b *testRR) Pick(*balance.Request) *balance.Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	for range b.servers {
		s := b.servers[b.next%len(b.servers)]
		b.next++
		if s.Up && !s.Backup && s.Weight > 0 {
			return s
		}
	}
	return nil
}

func (b *testRR) Update() {}

// backendServer is a small HTTP server standing in for nginx; it counts the
// TCP connections it accepts.
type backendServer struct {
	addr  string
	conns atomic.Int64
	srv   *http.Server
}

func startBackend(t *testing.T, h http.HandlerFunc) *backendServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	b := &backendServer{addr: ln.Addr().String()}
	b.srv = &http.Server{Handler: h, ConnState: func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			b.conns.Add(1)
		}
	}}
	go b.srv.Serve(ln)
	t.Cleanup(func() { b.srv.Close() })
	return b
}

func textBackend(t *testing.T, text string) *backendServer {
	return startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, text)
	})
}

func defaultTimeouts() Timeouts {
	return Timeouts{Client: 5 * time.Second, Server: 5 * time.Second, Connect: 100 * time.Millisecond,
		HTTPRequest: 2 * time.Second, HTTPKeepAlive: 2 * time.Second}
}

// seedConfig mirrors the seed haproxy.cfg (frontend main / backend servers,
// balance roundrobin) on an ephemeral loopback port.
func seedConfig(addrs ...string) *Config {
	be := &Backend{Name: "servers", Mode: ModeHTTP, Timeouts: defaultTimeouts(), Retries: 3, Redispatch: true,
		Balance: balance.Spec{Algorithm: "roundrobin"}, ConnMode: ServerClose}
	for i, a := range addrs {
		be.Servers = append(be.Servers, &Server{Name: fmt.Sprintf("web%d", i+1), Addr: a, Weight: 1})
	}
	fe := &Frontend{Name: "main", Binds: []string{"127.0.0.1:0"}, Mode: ModeHTTP, Timeouts: defaultTimeouts(),
		DefaultBackend: "servers", ConnMode: ServerClose}
	return &Config{MaxConn: 4000, Frontends: []*Frontend{fe}, Backends: []*Backend{be}}
}

func startProxy(t *testing.T, cfg *Config) (*Proxy, string) {
	t.Helper()
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		p.Shutdown(ctx)
	})
	return p, p.Addrs()[0].String()
}

// rawExchange writes raw bytes and reads until the server closes or
// `wait` passes without data.
func rawExchange(t *testing.T, addr, raw string, wait time.Duration) string {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		c.SetReadDeadline(time.Now().Add(wait))
		n, err := c.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

// readResponse reads one response from br with net/http's client parser.
func readResponse(t *testing.T, br *bufio.Reader, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp, string(b)
}

func mustPrefix(s string) netip.Prefix { return netip.MustParsePrefix(s) }

// answerGarbage reads one request and answers with bytes that are not HTTP.
func answerGarbage(c net.Conn) {
	c.Read(make([]byte, 4096))
	io.WriteString(c, "garbage\r\n\r\n")
}
