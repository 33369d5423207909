package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"runtime"
	"sync"
	"testing"
	"time"
)

// shortPark makes sessions park after 50 ms idle for the test.
func shortPark(t *testing.T) {
	old := parkAfter
	parkAfter = 50 * time.Millisecond
	t.Cleanup(func() { parkAfter = old })
	if sharedParker() == nil {
		t.Fatal("no epoll parker on this system")
	}
}

// parkedIn counts p's sessions the parker holds.
func parkedIn(p *Proxy) int {
	k := sharedParker()
	p.mu.Lock()
	defer p.mu.Unlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	n := 0
	for s := range p.sessions {
		if s.parkedFD >= 0 && k.byFD[s.parkedFD] == s {
			n++
		}
	}
	return n
}

// parkedKeeping lists what p's parked sessions still hold of their last
// transaction: its state (txn).
func parkedKeeping(p *Proxy) []string {
	k := sharedParker()
	p.mu.Lock()
	defer p.mu.Unlock()
	k.mu.Lock()
	defer k.mu.Unlock()
	var held []string
	for s := range p.sessions {
		if s.parkedFD < 0 || k.byFD[s.parkedFD] != s {
			continue
		}
		if s.txn != nil { // info, with the server and connection it named, is in txn
			held = append(held, "txn")
		}
	}
	return held
}

// waitParked polls until p has want parked sessions (bounded).
func waitParked(t *testing.T, p *Proxy, want int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for parkedIn(p) != want {
		if time.Now().After(deadline) {
			t.Fatalf("%d sessions parked, want %d", parkedIn(p), want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// parkingProxy starts a keep-alive proxy whose sessions park after 50 ms.
func parkingProxy(t *testing.T, keepAlive time.Duration) (*Proxy, string) {
	t.Helper()
	shortPark(t)
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = keepAlive
	return startProxy(t, cfg)
}

// expectClosed reads until the proxy closes the client cleanly (bounded).
func expectClosed(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("parked client: %q %v", rest, err)
	}
}

// idleKeepAliveClient connects, makes one request and returns the client.
func idleKeepAliveClient(t *testing.T, addr string) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	br := bufio.NewReader(c)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); body != "ok" {
		t.Fatalf("first request: %q", body)
	}
	return c, br
}

// A kept-alive client idle past parkAfter is parked: its session holds no
// goroutine, still counts as a current session, and its next request (sent
// in two pieces, so the resumed session waits for the rest of the head)
// is answered on the same connection.
func TestParkedSessionResumes(t *testing.T) {
	p, addr := parkingProxy(t, 30*time.Second)
	before := runtime.NumGoroutine()
	const n = 20
	conns := make([]net.Conn, n)
	readers := make([]*bufio.Reader, n)
	for i := range conns {
		conns[i], readers[i] = idleKeepAliveClient(t, addr)
	}
	waitParked(t, p, n)
	if cur := p.Frontends()[0].Stats.CurSessions; cur != n {
		t.Errorf("CurSessions %d with %d parked clients", cur, n)
	}
	// Parked sessions have no goroutine: 20 clients add far fewer than 20.
	if g := runtime.NumGoroutine() - before; g >= n/2 {
		t.Errorf("%d more goroutines with %d parked clients", g, n)
	}
	// nor their transaction's state (session_txn.go)
	if held := parkedKeeping(p); len(held) > 0 {
		t.Errorf("parked sessions hold %v", held)
	}
	for i := range conns {
		io.WriteString(conns[i], "GET / HTTP/1.1\r\n")
	}
	waitParked(t, p, 0)
	time.Sleep(20 * time.Millisecond)
	for i := range conns {
		io.WriteString(conns[i], "Host: x\r\n\r\n")
		conns[i].SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, body := readResponse(t, readers[i], "GET"); body != "ok" {
			t.Fatalf("conn %d after parking: %q", i, body)
		}
	}
	// Idle again: parked again.
	waitParked(t, p, n)
	if held := parkedKeeping(p); len(held) > 0 {
		t.Errorf("parked again, sessions hold %v", held)
	}
}

// `timeout http-keep-alive` still closes a parked connection silently, and
// not before it expires.
func TestParkedSessionKeepAliveTimeout(t *testing.T) {
	p, addr := parkingProxy(t, 500*time.Millisecond)
	start := time.Now()
	c, br := idleKeepAliveClient(t, addr)
	waitParked(t, p, 1)
	expectClosed(t, c, br)
	if d := time.Since(start); d < 450*time.Millisecond {
		t.Errorf("closed after %v, before the 500 ms keep-alive timeout", d)
	}
	waitCurSessions(t, p, 0)
	waitParked(t, p, 0)
}

// A parked client that goes away ends its session.
func TestParkedSessionClientCloses(t *testing.T) {
	p, addr := parkingProxy(t, 30*time.Second)
	c, _ := idleKeepAliveClient(t, addr)
	waitParked(t, p, 1)
	c.Close()
	waitParked(t, p, 0)
	waitCurSessions(t, p, 0)
}

// Shutdown closes parked clients at once.
func TestShutdownEndsParkedSessions(t *testing.T) {
	p, addr := parkingProxy(t, time.Minute)
	c, br := idleKeepAliveClient(t, addr)
	waitParked(t, p, 1)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := p.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown waited for the parked client: %v", err)
	}
	expectClosed(t, c, br)
}

func waitCurSessions(t *testing.T, p *Proxy, want int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for p.Frontends()[0].Stats.CurSessions != want {
		if time.Now().After(deadline) {
			t.Fatalf("CurSessions %d, want %d", p.Frontends()[0].Stats.CurSessions, want)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// The log of a request that woke a parked session counts its idle time
// (%Ti) from where the keep-alive wait began, as for one never parked.
func TestParkedSessionLogsIdleTime(t *testing.T) {
	shortPark(t)
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = 30 * time.Second
	var mu sync.Mutex
	var idles []time.Duration
	p, err := New(cfg, Options{NewBalancer: newTestBalancer, Log: func(e *LogEntry) {
		mu.Lock()
		idles = append(idles, e.Idle)
		mu.Unlock()
	}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Shutdown(context.Background()) })
	c, br := idleKeepAliveClient(t, p.Addrs()[0].String())
	waitParked(t, p, 1)
	time.Sleep(200 * time.Millisecond)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, body := readResponse(t, br, "GET"); body != "ok" {
		t.Fatalf("after parking: %q", body)
	}
	deadline := time.Now().Add(2 * time.Second)
	for {
		mu.Lock()
		got := append([]time.Duration(nil), idles...)
		mu.Unlock()
		if len(got) == 2 {
			if got[1] < 250*time.Millisecond {
				t.Errorf("idle time of the request after parking: %v, want at least 250 ms", got[1])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log entries: %v", got)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
