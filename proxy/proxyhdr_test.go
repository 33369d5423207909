package proxy

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// headBackend records, per connection, the bytes before each request head's
// end (a PROXY header first, if any) and answers 200 with keep-alive.
type headBackend struct {
	mu    sync.Mutex
	conns [][]string // per connection, each request's bytes
}

func (h *headBackend) serve(c net.Conn) {
	h.mu.Lock()
	i := len(h.conns)
	h.conns = append(h.conns, nil)
	h.mu.Unlock()
	br := bufio.NewReader(c)
	for {
		var sb strings.Builder
		for {
			line, err := br.ReadString('\n')
			sb.WriteString(line)
			if err != nil {
				return
			}
			if line == "\r\n" {
				break
			}
		}
		h.mu.Lock()
		h.conns[i] = append(h.conns[i], sb.String())
		h.mu.Unlock()
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	}
}

func (h *headBackend) snapshot() [][]string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([][]string(nil), h.conns...)
}

// TestAcceptProxyToSendProxy: the addresses of a client's PROXY header
// become its source for X-Forwarded-For and the log, and each connection
// to a send-proxy server carries them; a keep-alive server connection made
// for one client is kept for that client's next request (private, as in
// HAProxy), never reused for another.
func TestAcceptProxyToSendProxy(t *testing.T) {
	hb := &headBackend{}
	cfg := seedConfig(loopback.ServeEach(t, loopback.Listen(t), hb.serve))
	fe, be := cfg.Frontends[0], cfg.Backends[0]
	fe.AcceptProxy = map[string]bool{"127.0.0.1:0": true}
	fe.ForwardFor = ForwardFor{Enabled: true, Header: "X-Forwarded-For"}
	fe.ConnMode, be.ConnMode = KeepAlive, KeepAlive
	be.Servers[0].SendProxy = 1
	var mu sync.Mutex
	var clients []string
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Log: func(e *LogEntry) {
		mu.Lock()
		clients = append(clients, e.Client.String())
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(t.Context()) })
	addr := p.Addrs()[0].String()
	for i, hdr := range []string{"PROXY TCP4 198.51.100.1 192.0.2.10 40001 8080\r\n", "PROXY TCP6 2001:db8::7 2001:db8::1 40002 443\r\n"} {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, hdr+"GET /1 HTTP/1.1\r\nHost: x\r\n\r\nGET /2 HTTP/1.1\r\nHost: x\r\n\r\n")
		br := bufio.NewReader(c)
		for i := 0; i < 2; i++ {
			if resp, _ := readResponse(t, br, "GET"); resp.StatusCode != 200 {
				t.Fatalf("status %d", resp.StatusCode)
			}
		}
		c.Close()
		// A transaction is logged once its server connection is back in
		// the pool: the next client starts after that.
		for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			mu.Lock()
			n := len(clients)
			mu.Unlock()
			if n >= 2*(i+1) {
				break
			}
		}
	}
	var heads []string
	for _, conn := range hb.snapshot() {
		if len(conn) == 0 {
			continue
		}
		heads = append(heads, conn[0][:strings.Index(conn[0], "\r\n")+2])
		for _, req := range conn {
			xff := "198.51.100.1"
			if strings.HasPrefix(conn[0], "PROXY TCP6") {
				xff = "2001:db8::7"
			}
			if !strings.Contains(strings.ToLower(req), "x-forwarded-for: "+xff+"\r\n") {
				t.Errorf("request %q lacks XFF %s", req, xff)
			}
		}
	}
	// Each new server connection starts with the header of its client;
	// the second client never gets the first one's connection. The first
	// client's stays idle in the pool (usable by none but it) and fills
	// the idle cap before any purge, so the second client's first
	// connection is closed after its request and its next request opens
	// another, as HAProxy 2.6 does (TestSendProxyReuseDifferential).
	for i, h := range heads {
		if !strings.HasPrefix(h, "PROXY TCP4 198.51.100.1 192.0.2.10 40001 8080\r\n") &&
			!strings.HasPrefix(h, "PROXY TCP6 2001:db8::7 2001:db8::1 40002 443\r\n") {
			t.Errorf("server connection %d starts with %q", i, h)
		}
	}
	if len(heads) != 3 {
		t.Errorf("%d server connections, want 3: the first client's kept for its next request, two for the second", len(heads))
	}
	// A transaction is logged after its response: wait for the last.
	want := "198.51.100.1:40001 198.51.100.1:40001 [2001:db8::7]:40002 [2001:db8::7]:40002"
	got := ""
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		got = strings.Join(clients, " ")
		mu.Unlock()
		if got == want {
			break
		}
	}
	if got != want {
		t.Errorf("logged clients %q, want %q", got, want)
	}
}

// startConnErrors runs cfg with its first frontend's bind named "1" and
// a 300 ms client timeout, and returns the proxy, that bind's address
// and the connection errors the proxy reports.
func startConnErrors(t *testing.T, cfg *Config) (*Proxy, string, chan ConnError) {
	t.Helper()
	fe := cfg.Frontends[0]
	fe.BindNames = map[string]string{"127.0.0.1:0": "1"}
	fe.Timeouts.Client = 300 * time.Millisecond
	errs := make(chan ConnError, 4)
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, ConnError: func(e *ConnError) { errs <- *e }})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(t.Context()) })
	return p, p.Addrs()[0].String(), errs
}

// TestAcceptProxyRefused: a connection without a valid header is closed
// without a byte, reported to ConnError with HAProxy's reason, and not
// counted as a session.
func TestAcceptProxyRefused(t *testing.T) {
	cfg := seedConfig(loopback.DeadAddr(t))
	fe := cfg.Frontends[0]
	fe.AcceptProxy = map[string]bool{"127.0.0.1:0": true}
	p, addr, errs := startConnErrors(t, cfg)
	for _, tc := range []struct{ send, msg string }{
		{"GET / HTTP/1.1\r\nHost: x\r\n\r\n", "Received something which does not look like a PROXY protocol header"},
		{"PROXY TCP4 1.2.3.4\r\n", "Received an invalid PROXY protocol header"},
		{"PROXY TCP4 1.2.", "Truncated PROXY protocol header received"},
		{"", "Timeout while waiting for PROXY protocol header"},
	} {
		if got := rawExchange(t, addr, tc.send, 2*time.Second); got != "" {
			t.Errorf("%q: got %q, want nothing", tc.send, got)
		}
		select {
		case e := <-errs:
			if e.Msg != tc.msg || e.Frontend != "main" || e.Bind != "1" || !e.Client.Addr().IsLoopback() || e.Null != (tc.send == "") {
				t.Errorf("%q: ConnError %+v, want %q", tc.send, e, tc.msg)
			}
		case <-time.After(2 * time.Second):
			t.Errorf("%q: no ConnError", tc.send)
		}
	}
	if n := p.frontends[0].stats.sessions.Load(); n != 0 {
		t.Errorf("%d sessions counted, want 0", n)
	}
}
