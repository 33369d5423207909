package proxy

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// startSoftStop starts a keep-alive proxy whose idle connections park
// after park and get grace to bring a request once it stops.
func startSoftStop(t *testing.T, be string, park, grace time.Duration) (*Proxy, net.Conn, *bufio.Reader) {
	t.Helper()
	oldPark, oldGrace := parkAfter, softStopGrace
	parkAfter, softStopGrace = park, grace
	t.Cleanup(func() { parkAfter, softStopGrace = oldPark, oldGrace })
	cfg := keepAliveCfg(be)
	cfg.Frontends[0].Timeouts.HTTPKeepAlive = time.Minute
	p, addr := startProxy(t, cfg)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return p, c, bufio.NewReader(c)
}

// expectFIN checks the proxy closed the connection with a FIN and
// nothing more.
func expectFIN(t *testing.T, c net.Conn, br *bufio.Reader) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if rest, err := io.ReadAll(br); err != nil || len(rest) != 0 {
		t.Fatalf("after the last response: %q %v", rest, err)
	}
}

// A transaction in flight when the proxy stops: its response says
// Connection: close, and the connection ends after it (HAProxy's soft
// stop), so the client does not send another request into a closing
// connection.
func TestSoftStopInFlightResponseSaysClose(t *testing.T) {
	release := make(chan struct{})
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		<-release
		io.WriteString(w, "finished")
	})
	p, c, br := startSoftStop(t, be.addr, parkAfter, softStopGrace)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	for p.Backends()[0].Servers[0].Stats.CurSessions == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	shut := make(chan error, 1)
	go func() { shut <- p.Shutdown(context.Background()) }()
	time.Sleep(50 * time.Millisecond)
	close(release)
	resp, body := readResponse(t, br, "GET")
	if body != "finished" || !resp.Close {
		t.Fatalf("in-flight response %q, Connection: close %v (header %v)", body, resp.Close, resp.Header)
	}
	expectFIN(t, c, br)
	if err := <-shut; err != nil {
		t.Fatal(err)
	}
}

// A client at full speed sends its next request right after a response:
// when the proxy stops in between, that request is served (with
// Connection: close) instead of being lost to a close, whether the
// connection waits on its goroutine or is parked.
func TestSoftStopServesTheNextRequest(t *testing.T) {
	for name, park := range map[string]time.Duration{"waiting": 3 * time.Second, "parked": 20 * time.Millisecond} {
		t.Run(name, func(t *testing.T) {
			be := textBackend(t, "ok")
			p, c, br := startSoftStop(t, be.addr, park, 3*time.Second)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			if resp, body := readResponse(t, br, "GET"); body != "ok" || resp.Close {
				t.Fatalf("first response %q, close %v", body, resp.Close)
			}
			time.Sleep(100 * time.Millisecond) // parked, in the "parked" case
			shut := make(chan error, 1)
			go func() { shut <- p.Shutdown(context.Background()) }()
			time.Sleep(100 * time.Millisecond) // Shutdown has begun; the client has not seen it
			io.WriteString(c, "GET /next HTTP/1.1\r\nHost: x\r\n\r\n")
			resp, body := readResponse(t, br, "GET")
			if body != "ok" || !resp.Close {
				t.Fatalf("next response %q, Connection: close %v", body, resp.Close)
			}
			expectFIN(t, c, br)
			if err := <-shut; err != nil {
				t.Fatal(err)
			}
		})
	}
}

// An idle client that sends nothing more is closed when the grace ends,
// not at its keep-alive timeout; one idle for longer than the grace is
// closed at once.
func TestSoftStopClosesIdleAfterGrace(t *testing.T) {
	for name, idle := range map[string]time.Duration{"within grace": 0, "past grace": 600 * time.Millisecond} {
		t.Run(name, func(t *testing.T) {
			be := textBackend(t, "ok")
			p, c, br := startSoftStop(t, be.addr, 50*time.Millisecond, 400*time.Millisecond)
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			readResponse(t, br, "GET")
			time.Sleep(idle)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			if err := p.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown waited for the idle client's keep-alive timeout: %v", err)
			}
			t.Logf("Shutdown took %v", time.Since(start))
			expectFIN(t, c, br)
		})
	}
}
