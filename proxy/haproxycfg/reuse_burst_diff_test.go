package haproxycfg

import (
	"context"
	"io"
	"log"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestIdlePoolBurstDifferential: HTTP/2 streams in flight together each
// take a server connection; once they end, HAProxy keeps them all idle
// for the next burst (its estimate of the connections needed rises with
// those in use at once, not at the first purge 5 s later), so two bursts
// of 8 open 8 connections, not 15.
func TestIdlePoolBurstDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	const cfg = `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND proto h2
    default_backend be
backend be
    server s1 SERVER
`
	start := func() (string, *atomic.Int64) {
		conns := new(atomic.Int64)
		ln := loopback.Listen(t)
		srv := &http.Server{
			ErrorLog: log.New(io.Discard, "", 0),
			ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
				conns.Add(1)
				return ctx
			},
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(100 * time.Millisecond) // the burst's streams overlap
				io.WriteString(w, "ok")
			}),
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return ln.Addr().String(), conns
	}
	haSrv, haConns := start()
	goSrv, goConns := start()
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	difftest.StartHAProxy(t, "global\n    stats socket "+sock+"\n"+strings.NewReplacer("BIND", ha, "SERVER", haSrv).Replace(cfg), ha)
	_, px := gohaRun(t, strings.NewReplacer("BIND", goha, "SERVER", goSrv).Replace(cfg), false, nil)
	// idle is the server connections a side holds idle: once a burst's
	// answers are in, every connection it opened goes back to the pool,
	// but a loaded machine may take longer than a fixed pause for that
	haIdle := func() int {
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show servers conn be"), "\n") {
			if f := strings.Fields(l); len(f) > 12 && f[0] == "be/s1" {
				n, _ := strconv.Atoi(f[12])
				return n
			}
		}
		return -1
	}
	goIdle := func() int { return px.Backends()[0].Servers[0].Idle }
	bursts := func(addr string, idle func() int, conns *atomic.Int64) string {
		tr := h2cTransport(addr)
		defer tr.CloseIdleConnections()
		cl := &http.Client{Transport: tr, Timeout: 3 * time.Second}
		var bad atomic.Int64
		for range 2 {
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					resp, err := cl.Get("http://h/")
					if err != nil {
						bad.Add(1)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				})
			}
			wg.Wait()
			// every connection back in the pool (2 s at most)
			for i := 0; i < 100 && int64(idle()) < conns.Load(); i++ {
				time.Sleep(20 * time.Millisecond)
			}
		}
		if bad.Load() > 0 {
			return "failed requests"
		}
		return "ok"
	}
	if got := bursts(ha, haIdle, haConns); got != "ok" {
		t.Fatalf("haproxy: %s", got)
	}
	if got := bursts(goha, goIdle, goConns); got != "ok" {
		t.Fatalf("goha: %s", got)
	}
	t.Logf("server connections: haproxy %d, goha %d", haConns.Load(), goConns.Load())
	if haConns.Load() != goConns.Load() {
		t.Errorf("server connections for two bursts of 8 streams: haproxy %d, goha %d", haConns.Load(), goConns.Load())
	}
}
