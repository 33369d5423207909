package proxy

import (
	"bufio"
	"io"
	"net"
	"testing"
	"time"
)

// Many kept-alive idle clients are all held (none refused or dropped) and
// hold no 16 KiB buffer each while idle.
func TestManyIdleKeepAliveClients(t *testing.T) {
	const n = 2000
	be := textBackend(t, "ok")
	cfg := keepAliveCfg(be.addr)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = 30 * time.Second
	cfg.MaxConn = n + 10
	cfg.Backends[0].Timeouts.Connect = 10 * time.Second // 2000 dials at once on a loaded machine
	// Each client's first request dials its own server connection (http-
	// reuse safe), and the idle cap closes most of them until the need
	// estimate catches up: 2000 dials in waves can outlast the first
	// request's timer, which runs from the accept. What is tested here is
	// the client side.
	cfg.Frontends[0].Timeouts.HTTPRequest = 30 * time.Second
	p, addr := startProxy(t, cfg)
	conns := make([]net.Conn, 0, n)
	readers := make([]*bufio.Reader, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, c)
		readers = append(readers, bufio.NewReader(c))
	}
	// Requests go in waves so the backend is not hit by 2000 dials at once.
	const wave = 200
	roundTrips := func(round int) {
		for w := 0; w < n; w += wave {
			for i := w; i < w+wave; i++ {
				io.WriteString(conns[i], "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			}
			for i := w; i < w+wave; i++ {
				if _, body := readResponse(t, readers[i], "GET"); body != "ok" {
					t.Fatalf("round %d conn %d: %q", round, i, body)
				}
			}
		}
	}
	roundTrips(1)
	for p.Frontends()[0].Stats.CurSessions != n {
		time.Sleep(10 * time.Millisecond)
	}
	// 2000 sessions × 16 KiB would be 32 MiB of buffers: idle ones hold none.
	// A session returns its buffer just after writing the last response, so
	// the count may lag the client's read by a moment.
	deadline := time.Now().Add(5 * time.Second)
	for buffersInUse.Load() != 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := buffersInUse.Load(); got != 0 {
		t.Fatalf("%d buffers held by %d idle connections", got, n)
	}
	// Every idle connection is still usable.
	roundTrips(2)
}
