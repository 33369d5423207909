package haproxycfg

import (
	"bufio"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// purgeBurst is how many requests each burst holds in flight at once.
const purgeBurst = 6

// startOpenCounter is an HTTP/1.1 server that counts its open
// connections and answers a request only once purgeBurst of them are in
// flight together (or after a second), so that a burst uses as many
// server connections. straggled is set when a request was answered
// after that second: its burst was not served together, and the
// daemon's pool then went idle before the client saw the burst end.
func startOpenCounter(t *testing.T) (addr string, open *atomic.Int64, straggled *atomic.Bool) {
	t.Helper()
	open = new(atomic.Int64)
	straggled = new(atomic.Bool)
	var mu sync.Mutex
	cond := sync.NewCond(&mu)
	inFlight := 0
	srv := &http.Server{
		ErrorLog: log.New(io.Discard, "", 0),
		ConnState: func(_ net.Conn, st http.ConnState) {
			switch st {
			case http.StateNew:
				open.Add(1)
			case http.StateClosed, http.StateHijacked:
				open.Add(-1)
			}
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			inFlight++
			cond.Broadcast()
			deadline := time.Now().Add(time.Second)
			for inFlight%purgeBurst != 0 && time.Now().Before(deadline) {
				go func() { time.Sleep(50 * time.Millisecond); cond.Broadcast() }()
				cond.Wait()
			}
			if inFlight%purgeBurst != 0 {
				straggled.Store(true)
			}
			mu.Unlock()
			io.WriteString(w, "ok")
		}),
	}
	ln := loopback.Listen(t)
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), open, straggled
}

// purgeBurstOnce sends purgeBurst requests at once, each on its own
// client connection, closed once its answer is read. It returns the
// time between the first and the last answer read.
func purgeBurstOnce(t *testing.T, addr string) time.Duration {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first, last time.Time
	for range purgeBurst {
		wg.Go(func() {
			c := dialClient(t, addr, 3*time.Second)
			if c == nil {
				return
			}
			defer c.Close()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: h\r\n\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(c), nil)
			if err != nil {
				t.Error(err)
				return
			}
			io.ReadAll(resp.Body)
			now := time.Now()
			mu.Lock()
			if first.IsZero() || now.Before(first) {
				first = now
			}
			if now.After(last) {
				last = now
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return last.Sub(first)
}

const purgeConfig = `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 30s
    timeout server 30s
frontend fe
    bind BIND
    default_backend be
backend be
    http-reuse always
    server s1 SRV pool-purge-delay %dms
`

// TestIdlePurgeMatchesHAProxy: the idle server connections HAProxy 2.6
// keeps and purges (srv_cleanup_idle_conns every pool-purge-delay: half
// the excess over the estimated need, plus one), counted at the server
// beside HAProxy. A burst of 6 leaves 6 idle connections (the estimate
// rose with the connections in use); a second burst after the first
// purge takes them again, and once its peak is forgotten the purges
// close 3, 2 and 1 as the estimate decays. Each daemon is sampled half
// way between its purges.
func TestIdlePurgeMatchesHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	const delay = 500 * time.Millisecond
	// run reports the counts, and whether the test's own schedule held:
	// a burst or a sample that comes a fifth of a delay late, or a burst
	// whose answers came apart (a straggling request leaves the pool
	// idle before the burst ends, so the purges no longer count from its
	// end) moves it across a purge: the machine was busy, and the round
	// is run again rather than compared.
	run := func(ha bool) (string, bool) {
		srv, open, straggled := startOpenCounter(t)
		bind := loopback.FreeAddr(t)
		cfg := strings.NewReplacer("BIND", bind, "SRV", srv).Replace(fmt.Sprintf(purgeConfig, delay.Milliseconds()))
		if ha {
			difftest.StartHAProxy(t, cfg, bind)
		} else {
			runPlan(t, cfg)
			loopback.WaitListen(t, bind)
		}
		spread := purgeBurstOnce(t, bind)
		t1 := time.Now() // the first idle connection: the purges count from here
		onTime := spread < delay/10
		late := func(at time.Duration) {
			if time.Since(t1.Add(at)) > delay/5 {
				onTime = false
			}
		}
		var got []string
		sample := func(at time.Duration) {
			time.Sleep(time.Until(t1.Add(at)))
			got = append(got, fmt.Sprint(open.Load()))
			late(at)
		}
		sample(delay * 13 / 10)
		time.Sleep(time.Until(t1.Add(delay * 14 / 10)))
		if purgeBurstOnce(t, bind) >= delay/10 {
			onTime = false
		}
		late(delay * 14 / 10)
		for _, at := range []int{25, 35, 45, 55, 65} {
			sample(delay * time.Duration(at) / 10)
		}
		return strings.Join(got, " "), onTime && !straggled.Load()
	}
	for round := 1; ; round++ {
		var want, got string
		var haOK, gohaOK bool
		var wg sync.WaitGroup
		wg.Go(func() { want, haOK = run(true) })
		wg.Go(func() { got, gohaOK = run(false) })
		wg.Wait()
		if !haOK || !gohaOK {
			if round == 3 {
				t.Fatalf("the test's schedule slipped by a fifth of a purge delay in %d rounds of %d: the machine is too busy to compare", round, round)
			}
			t.Logf("round %d: the schedule slipped (haproxy on time %v, goha %v); again", round, haOK, gohaOK)
			continue
		}
		t.Logf("open server connections at 1.3, 2.5 .. 6.5 purge delays: haproxy %s", want)
		if want != got {
			t.Errorf("open server connections:\nhaproxy %s\ngoha    %s", want, got)
		}
		return
	}
}
