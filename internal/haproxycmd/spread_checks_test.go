package haproxycmd

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// global `spread-checks`: the check interval varies by up to the given
// percentage around inter (HAProxy 2.6's random spread), none without it.
// Each daemon checks its own server every 200 ms for 3 s, with and
// without spread-checks 50: the spread of the intervals between check
// connections is wide (over 80 ms) with it and narrow (under 60 ms, a
// loaded machine's jitter) without, on both sides.
func TestSpreadChecksMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	type run struct {
		mu    sync.Mutex
		times []time.Time
	}
	runs := map[string]*run{}
	start := func(bin, global string) {
		r := &run{}
		runs[bin+" "+global] = r
		// HTTP checks: a plain connect check may be reset before the
		// server accepts it
		addr := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
			c.SetDeadline(time.Now().Add(time.Second))
			if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
				return
			}
			r.mu.Lock()
			r.times = append(r.times, time.Now())
			r.mu.Unlock()
			c.Write([]byte("HTTP/1.0 200 OK\r\n\r\n"))
		})
		front := loopback.FreeAddr(t)
		cfg := "global\n" + global + "defaults\n    mode tcp\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 1s\n" +
			"frontend fe\n    bind " + front + "\n    default_backend be\nbackend be\n    option httpchk\n    server s1 " + addr + " check inter 200ms\n"
		startWithConfig(t, bin, cfg, front)
	}
	for _, bin := range []string{"haproxy", gohaproxy} {
		start(bin, "    spread-checks 50\n")
		start(bin, "")
	}
	time.Sleep(3 * time.Second)
	for key, r := range runs {
		r.mu.Lock()
		lo, hi := time.Hour, time.Duration(0)
		for i := 2; i < len(r.times); i++ { // the first check's own delay left out
			d := r.times[i].Sub(r.times[i-1])
			lo, hi = min(lo, d), max(hi, d)
		}
		n := len(r.times)
		r.mu.Unlock()
		spread := hi - lo
		t.Logf("%s: %d checks, intervals %v..%v", key, n, lo, hi)
		wide := key[len(key)-1] == '\n' // spread-checks set
		switch {
		case n < 8:
			t.Errorf("%s: %d checks in 3 s at inter 200ms", key, n)
		case wide && spread < 80*time.Millisecond:
			t.Errorf("%s: intervals %v..%v, not spread", key, lo, hi)
		case !wide && spread > 60*time.Millisecond:
			t.Errorf("%s: intervals %v..%v, spread without spread-checks", key, lo, hi)
		}
	}
}
