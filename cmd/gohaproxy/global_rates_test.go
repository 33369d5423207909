package main

import (
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// maxconnrate: eight clients at once under a limit of 5 per second.
// HAProxy serves five at once, the sixth after about a second, then one
// every 200 ms, the others waiting in the accept queue; show info reports
// the limit and the highest rates. (maxsessrate is compared on a ramp,
// TestMaxSessRateRampMatchesHAProxy: HAProxy let 5, 7 or 8 of such a burst
// through at once from one run to the next.)
func TestGlobalRatesMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	for _, global := range []string{"maxconnrate 5"} {
		for round := 1; ; round++ {
			if compareGlobalRates(t, bin, global, round == 3) {
				break
			}
		}
	}
}

// compareGlobalRates runs one burst through each daemon under global and
// compares; it reports false, without failing, when HAProxy did not keep
// its usual schedule (five at once, the sixth after about a second) and
// last is false: HAProxy's rate counter once let the whole burst of 8
// through at once in a full run.
func compareGlobalRates(t *testing.T, bin, global string, last bool) bool {
	var sched [2][]time.Duration
	var info [2]string
	for i, b := range []string{"haproxy", bin} {
		_, sock, addr := startRateLimited(t, b, global)
		sched[i] = burst(t, addr, 8)
		out := haproxytest.StatsCmd(t, sock, "show info")
		for _, f := range []string{"ConnRateLimit", "SessRateLimit", "MaxConnRate", "MaxSessRate"} {
			info[i] += f + "=" + infoValue(out, f) + " "
		}
	}
	t.Logf("%s: haproxy %v %s; gohaproxy %v %s", global, sched[0], info[0], sched[1], info[1])
	if sched[0][4] > 300*time.Millisecond || sched[0][5] < 800*time.Millisecond {
		if !last {
			t.Logf("%s: haproxy's schedule changed, again", global)
			return false
		}
		t.Errorf("%s: haproxy's schedule changed in three rounds: %v", global, sched[0])
	}
	if info[0] != info[1] {
		t.Errorf("%s: show info\nhaproxy:   %s\ngohaproxy: %s", global, info[0], info[1])
	}
	for k := range sched[0] {
		if d := sched[0][k] - sched[1][k]; math.Abs(float64(d)) > float64(150*time.Millisecond) {
			t.Errorf("%s: answer %d after %v with haproxy, %v with gohaproxy", global, k+1, sched[0][k], sched[1][k])
		}
	}
	return true
}

// startRateLimited runs bin with global in its global section, a stats
// socket and one frontend answering 200; it returns once the daemon has
// settled, as a client would find it, without a probe connection (it
// would count against the rate).
func startRateLimited(t *testing.T, bin, global string) (cmd *exec.Cmd, sock, addr string) {
	dir := t.TempDir()
	sock, addr = filepath.Join(dir, "stats"), loopback.FreeAddr(t)
	cfg := fmt.Sprintf("global\n    stats socket %s level admin\n    %s\ndefaults\n    mode http\n    timeout client 5s\n    timeout server 5s\n    timeout connect 5s\n"+
		"frontend f\n    bind %s\n    http-request return status 200\n", sock, global, addr)
	path := filepath.Join(dir, "t.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	cmd = haproxytest.StartQuiet(t, bin, path)
	for n := 0; n < 100; n++ {
		if _, err := os.Stat(sock); err == nil {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(600 * time.Millisecond)
	return cmd, sock, addr
}

// burst opens n connections at once, sends a request on each and returns
// when each answer came, in order.
func burst(t *testing.T, addr string, n int) []time.Duration {
	t.Helper()
	start := time.Now()
	var mu sync.Mutex
	var out []time.Duration
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			b, _ := io.ReadAll(c)
			if !strings.HasPrefix(string(b), "HTTP/1.1 200") {
				t.Errorf("answer %q", b)
			}
			mu.Lock()
			out = append(out, time.Since(start))
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	if len(out) != n {
		t.Fatalf("%d answers of %d", len(out), n)
	}
	return out
}
