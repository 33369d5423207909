package main

import (
	"io"
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/testenv"
)

// maxsessrate 5 with clients arriving ten a second: HAProxy serves the
// first five as they come, the sixth a second after the first, then about
// one every 200 ms; at times it lets two through at once (it counts
// sessions after a batch of accepts) and makes the next one wait as much
// longer. gohaproxy holds the limit strictly: each answer must come within
// one 200 ms step (plus scheduling margin) of HAProxy's, and show info must
// report the same limit.
//
// A round where HAProxy let three or more through at once (its accept
// batches, once in a full run) is run again, three rounds at most.
func TestMaxSessRateRampMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	for round := 1; !compareSessRateRamp(t, bin, round == 3); round++ {
	}
}

// compareSessRateRamp runs the ramp through each daemon and compares; it
// reports false, without failing, when HAProxy answered three or more
// clients within 50 ms of each other and last is false.
func compareSessRateRamp(t *testing.T, bin string, last bool) bool {
	var sched [2][]time.Duration
	var limit [2]string
	for i, b := range []string{"haproxy", bin} {
		cmd, sock, addr := startRateLimited(t, b, "maxsessrate 5")
		sched[i] = ramp(t, addr, 16, 100*time.Millisecond)
		limit[i] = infoValue(haproxytest.StatsCmd(t, sock, "show info"), "SessRateLimit")
		cmd.Process.Kill()
		cmd.Wait()
	}
	t.Logf("haproxy %v; gohaproxy %v", sched[0], sched[1])
	if limit[0] != "5" || limit[1] != limit[0] {
		t.Errorf("SessRateLimit: haproxy %q, gohaproxy %q", limit[0], limit[1])
	}
	if len(sched[0]) != 16 || len(sched[1]) != 16 {
		t.Fatalf("answers: haproxy %d, gohaproxy %d of 16", len(sched[0]), len(sched[1]))
	}
	for k := 2; k < 16 && !last; k++ {
		if sched[0][k]-sched[0][k-2] < 50*time.Millisecond {
			t.Logf("haproxy answered %d to %d at once: again", k-1, k+1)
			return false
		}
	}
	for k := range sched[0] {
		if d := sched[0][k] - sched[1][k]; d > 320*time.Millisecond || d < -320*time.Millisecond {
			t.Errorf("answer %d after %v with haproxy, %v with gohaproxy", k+1, sched[0][k], sched[1][k])
		}
	}
	for i, name := range []string{"haproxy", "gohaproxy"} {
		if sched[i][4] > 700*time.Millisecond || sched[i][5] < 850*time.Millisecond || sched[i][15] < 2500*time.Millisecond {
			t.Errorf("%s did not hold 5 sessions a second: %v", name, sched[i])
		}
	}
	return true
}

// ramp opens n connections, one every gap, sends a request on each and
// returns when each answer came (since the first dial), in order.
func ramp(t *testing.T, addr string, n int, gap time.Duration) []time.Duration {
	t.Helper()
	start := time.Now()
	var mu sync.Mutex
	var out []time.Duration
	var wg sync.WaitGroup
	for i := range n {
		time.Sleep(time.Until(start.Add(time.Duration(i) * gap)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			c, err := net.DialTimeout("tcp", addr, 2*time.Second)
			if err != nil {
				t.Error(err)
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(8 * time.Second))
			io.WriteString(c, "GET / HTTP/1.0\r\n\r\n")
			b, _ := io.ReadAll(c)
			if !strings.HasPrefix(string(b), "HTTP/1.1 200") {
				t.Errorf("answer %q", b)
			}
			mu.Lock()
			out = append(out, time.Since(start).Round(10*time.Millisecond))
			mu.Unlock()
		}()
	}
	wg.Wait()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}
