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
// of 8 open 8 connections, not 15. The second burst starts once every
// server connection still open is idle in the pool (HAProxy's `show
// servers conn` idle_cur, goha's ServerState.Idle; 5 s at most).
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
	// Each side's server counts the connections it accepted (conns) and
	// those still open.
	start := func() (string, *atomic.Int64, *atomic.Int64) {
		conns, open := new(atomic.Int64), new(atomic.Int64)
		ln := loopback.Listen(t)
		srv := &http.Server{
			ErrorLog: log.New(io.Discard, "", 0),
			ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
				conns.Add(1)
				return ctx
			},
			ConnState: func(_ net.Conn, st http.ConnState) {
				switch st {
				case http.StateNew:
					open.Add(1)
				case http.StateClosed, http.StateHijacked:
					open.Add(-1)
				}
			},
			Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				time.Sleep(100 * time.Millisecond) // the burst's streams overlap
				io.WriteString(w, "ok")
			}),
		}
		go srv.Serve(ln)
		t.Cleanup(func() { srv.Close() })
		return ln.Addr().String(), conns, open
	}
	haSrv, haConns, haOpen := start()
	goSrv, goConns, goOpen := start()
	ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "stats.sock")
	haCfg := strings.Replace(cfg, "global\n", "global\n    stats socket "+sock+"\n", 1)
	difftest.StartHAProxy(t, strings.NewReplacer("BIND", ha, "SERVER", haSrv).Replace(haCfg), ha)
	px := startPlan(t, strings.NewReplacer("BIND", goha, "SERVER", goSrv).Replace(cfg))
	// The idle connections each side's pool holds for be/s1.
	haIdle := func() int { return showServersConnIdle(t, haproxytest.StatsCmd(t, sock, "show servers conn be")) }
	goIdle := func() int {
		for _, b := range px.Backends() {
			for _, s := range b.Servers {
				if b.Name == "be" && s.Name == "s1" {
					return s.Idle
				}
			}
		}
		return -1
	}
	bursts := func(addr, who string, idle func() int, open *atomic.Int64) string {
		tr := &http.Transport{DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
		var p http.Protocols
		p.SetUnencryptedHTTP2(true)
		tr.Protocols = &p
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
			// Every server connection still open is back in the pool
			// before the next burst (5 s at most: a loaded machine).
			deadline := time.Now().Add(5 * time.Second)
			for {
				n, o := idle(), open.Load()
				if o > 0 && int64(n) == o {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("%s: %d of %d open server connections idle after 5 s", who, n, o)
				}
				time.Sleep(10 * time.Millisecond)
			}
		}
		if bad.Load() > 0 {
			return "failed requests"
		}
		return "ok"
	}
	if got := bursts(ha, "haproxy", haIdle, haOpen); got != "ok" {
		t.Fatalf("haproxy: %s", got)
	}
	if got := bursts(goha, "goha", goIdle, goOpen); got != "ok" {
		t.Fatalf("goha: %s", got)
	}
	t.Logf("server connections: haproxy %d, goha %d", haConns.Load(), goConns.Load())
	if haConns.Load() != goConns.Load() {
		t.Errorf("server connections for two bursts of 8 streams: haproxy %d, goha %d", haConns.Load(), goConns.Load())
	}
}

// showServersConnIdle is the idle_cur column of the be/s1 row of HAProxy's
// `show servers conn` answer (-1: none).
func showServersConnIdle(t *testing.T, out string) int {
	t.Helper()
	lines := strings.Split(out, "\n")
	if len(lines) < 2 {
		t.Fatalf("show servers conn: %q", out)
	}
	col := -1
	for i, f := range strings.Fields(strings.TrimPrefix(lines[0], "# ")) {
		if f == "idle_cur" {
			col = i
		}
	}
	for _, l := range lines[1:] {
		if f := strings.Fields(l); len(f) > col && col >= 0 && f[0] == "be/s1" {
			n, err := strconv.Atoi(f[col])
			if err != nil {
				t.Fatalf("show servers conn: %q", l)
			}
			return n
		}
	}
	t.Fatalf("show servers conn: no be/s1 idle_cur in %q", out)
	return -1
}
