package check

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestMaxSpreadChecksMatchesHAProxy: four servers checked every 10 s start
// their first checks 2.5 s apart (HAProxy's start_checks spread), so only
// one is checked within the first 1.2 s; with `max-spread-checks 400` the
// spread is capped at 400 ms and all four are. The real haproxy and goha's
// Runner must check the same number of servers in that window, both ways.
func TestMaxSpreadChecksMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	const window = 1200 * time.Millisecond
	for _, tc := range []struct {
		maxSpread time.Duration
		want      int
	}{{0, 1}, {400 * time.Millisecond, 4}} {
		checked := func(srvs []*acceptLog, t0 time.Time) (int, []time.Duration) {
			n := 0
			var at []time.Duration
			for _, a := range srvs {
				if first, ok := a.first(); ok {
					at = append(at, first.Sub(t0).Round(time.Millisecond))
					if first.Sub(t0) <= window {
						n++
					}
				}
			}
			return n, at
		}
		start := func() []*acceptLog {
			var srvs []*acceptLog
			for range 4 {
				srvs = append(srvs, startAcceptLog(t))
			}
			return srvs
		}
		// HAProxy
		srvs := start()
		var cfg strings.Builder
		cfg.WriteString("global\n")
		if tc.maxSpread > 0 {
			fmt.Fprintf(&cfg, "    max-spread-checks %d\n", tc.maxSpread.Milliseconds())
		}
		cfg.WriteString("defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\nbackend b\n    option tcp-check\n    tcp-check expect string +OK\n")
		for i, f := range srvs {
			fmt.Fprintf(&cfg, "    server s%d %s check inter 10s\n", i, f.addr())
		}
		fmt.Fprintf(&cfg, "frontend fe\n    bind %s\n    default_backend b\n", loopback.FreeAddr(t))
		t0 := time.Now()
		runHAProxyLines(t, cfg.String(), window+300*time.Millisecond)
		haproxyN, haproxyAt := checked(srvs, t0)

		// goha
		srvs = start()
		var targets []*Target
		probe := probeFromLines(t, []string{"option tcp-check", "tcp-check expect string +OK"})
		for i, f := range srvs {
			targets = append(targets, &Target{Backend: "b", Server: fmt.Sprintf("s%d", i), Addr: f.addr(), Rise: 2, Fall: 3,
				Intervals: sameIntervals(10 * time.Second), Prober: probe, Timeouts: CheckTimeouts(10*time.Second, time.Second, 0)})
		}
		r := mustRunner(t, targets, RunnerOptions{MaxSpreadChecks: tc.maxSpread})
		t0 = time.Now()
		r.Start()
		time.Sleep(window + 300*time.Millisecond)
		r.Stop()
		gohaN, gohaAt := checked(srvs, t0)
		if haproxyN != tc.want || gohaN != haproxyN {
			t.Errorf("max-spread-checks %v: servers checked within %v: haproxy %d %v, goha %d %v (want %d)",
				tc.maxSpread, window, haproxyN, haproxyAt, gohaN, gohaAt, tc.want)
		}
	}
}

// acceptLog is a listener on 127.0.0.1 that notes when it first accepted
// a connection, greets it with "+OK" and closes it. The checks expect the
// greeting: a plain connect check resets its connection at once, and
// Linux then drops it from the accept queue before Accept sees it.
type acceptLog struct {
	ln net.Listener
	mu sync.Mutex
	at time.Time
}

func startAcceptLog(t *testing.T) *acceptLog {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := &acceptLog{ln: ln}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			a.mu.Lock()
			if a.at.IsZero() {
				a.at = time.Now()
			}
			a.mu.Unlock()
			c.Write([]byte("+OK\r\n"))
			c.Close()
		}
	}()
	return a
}

func (a *acceptLog) addr() string { return a.ln.Addr().String() }

func (a *acceptLog) first() (time.Time, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.at, !a.at.IsZero()
}
