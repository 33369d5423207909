package proxy

import (
	"io"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// A server with maxconn 1 never sees two requests at once; the others wait
// in the backend queue and are served in turn.
func TestServerMaxConnQueues(t *testing.T) {
	var cur, peak atomic.Int64
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
		n := cur.Add(1)
		for {
			p := peak.Load()
			if n <= p || peak.CompareAndSwap(p, n) {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
		cur.Add(-1)
		io.WriteString(w, "ok")
	})
	cfg := seedConfig(be.addr)
	cfg.Backends[0].Servers[0].MaxConn = 1
	cfg.Backends[0].Timeouts.Queue = 5 * time.Second
	_, addr := startProxy(t, cfg)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := difftest.Exchange(addr, []byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"), 5*time.Second)
			if err != nil || !strings.HasSuffix(string(got), "ok") {
				errs <- string(got)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("queued request failed: %q", e)
	}
	if peak.Load() != 1 {
		t.Fatalf("server saw %d concurrent requests with maxconn 1", peak.Load())
	}
}

// When the queue wait exceeds `timeout queue`, the client gets HAProxy's 503.
func TestQueueTimeout503(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	be := startBackend(t, func(w http.ResponseWriter, r *http.Request) { <-release })
	cfg := seedConfig(be.addr)
	cfg.Backends[0].Servers[0].MaxConn = 1
	cfg.Backends[0].Timeouts.Queue = 200 * time.Millisecond
	p, addr := startProxy(t, cfg)
	go difftest.Exchange(addr, []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), 3*time.Second)
	for p.Backends()[0].Servers[0].Stats.CurSessions == 0 {
		time.Sleep(5 * time.Millisecond)
	}
	if got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 3*time.Second); got != builtinErrors[503] {
		t.Fatalf("got %q", got)
	}
}
