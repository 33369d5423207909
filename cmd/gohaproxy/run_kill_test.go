package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// killConnect is the scenario's `timeout connect`: no client may wait
// longer than this for its response. (The turn-around timer is 1 s, so a
// request retried twice on the dead server, as gohaproxy did before issue
// 11, waits 2 s.)
const killConnect = 1500 * time.Millisecond

// A backend server killed under load (issue 11): three servers with
// checks, `retries 3`, `option redispatch`, wrk -t1 -c8 for 6 s through
// the proxy, the second server killed (listener and connections closed) at
// 2 s. Requests that pick it before the checks mark it down are
// redispatched at once, as HAProxy 2.6 does for a non-persistent session
// on a roundrobin farm with another active server: no response takes
// longer than `timeout connect`, and gohaproxy fails no more requests
// than HAProxy in the same scenario.
func TestBackendKillUnderLoad(t *testing.T) {
	wrk := testenv.LookPath(t, "wrk")
	got := killUnderLoad(t, wrk, gohaproxyBin(t))
	if got.requests == 0 || got.maxLatency >= killConnect {
		t.Errorf("gohaproxy: %s; want no response slower than timeout connect (%v)", got, killConnect)
	}
	hp := testenv.LookPath(t, "haproxy")
	ref := killUnderLoad(t, wrk, hp)
	if got.failed() > ref.failed() {
		t.Errorf("gohaproxy failed %d requests, haproxy %d", got.failed(), ref.failed())
	}
}

type killResult struct {
	wrkResult
	maxLatency time.Duration
}

func (r killResult) failed() int64 { return r.socketErrors() + r.non2xx }

func (r killResult) String() string {
	return fmt.Sprintf("%d requests, %d failed (socket errors %d, non-2xx %d), max latency %v",
		r.requests, r.failed(), r.socketErrors(), r.non2xx, r.maxLatency)
}

var wrkLatency = regexp.MustCompile(`Latency\s+\S+\s+\S+\s+([0-9.]+)(us|ms|s|m)\s`)

// parseWrkMax reads the maximum latency of wrk's thread statistics.
func parseWrkMax(out string) (time.Duration, error) {
	m := wrkLatency.FindStringSubmatch(out)
	if m == nil {
		return 0, fmt.Errorf("no latency in wrk output:\n%s", out)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	unit := map[string]time.Duration{"us": time.Microsecond, "ms": time.Millisecond, "s": time.Second, "m": time.Minute}[m[2]]
	return time.Duration(math.Round(v*float64(unit)/float64(time.Microsecond))) * time.Microsecond, err
}

func TestParseWrkMax(t *testing.T) {
	for out, want := range map[string]time.Duration{
		"    Latency   490.76us  300.00us   8.00ms   90.00%\n": 8 * time.Millisecond,
		"    Latency     1.02ms    2.00ms   2.01s    99.00%\n": 2010 * time.Millisecond,
		"    Latency   100.00us   10.00us 900.00us   70.00%\n": 900 * time.Microsecond,
	} {
		if got, err := parseWrkMax(out); err != nil || got != want {
			t.Errorf("%q: %v %v, want %v", out, got, err, want)
		}
	}
}

// killableWeb is an HTTP server answering "ok" that the test can kill.
type killableWeb struct {
	addr string
	srv  *http.Server
}

func startKillable(t *testing.T) *killableWeb {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	w := &killableWeb{addr: ln.Addr().String(), srv: &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		io.WriteString(rw, "ok")
	})}}
	go w.srv.Serve(ln)
	t.Cleanup(func() { w.srv.Close() })
	return w
}

// killUnderLoad runs the scenario through bin with three fresh servers.
func killUnderLoad(t *testing.T, wrk, bin string) killResult {
	t.Helper()
	webs := []*killableWeb{startKillable(t), startKillable(t), startKillable(t)}
	bind := loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`defaults
    mode http
    timeout connect %dms
    timeout client 10s
    timeout server 10s
    retries 3
    option redispatch
frontend fe
    bind %s
    default_backend be
backend be
    balance roundrobin
    server s1 %s check inter 500ms
    server s2 %s check inter 500ms
    server s3 %s check inter 500ms
`, killConnect.Milliseconds(), bind, webs[0].addr, webs[1].addr, webs[2].addr), bind)
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, wrk, "-t1", "-c8", "-d6s", "--timeout", "5s", "http://"+bind+"/")
	cmd.WaitDelay = 5 * time.Second
	type wrkOut struct {
		out []byte
		err error
	}
	done := make(chan wrkOut, 1)
	go func() { out, err := cmd.CombinedOutput(); done <- wrkOut{out, err} }()
	time.Sleep(2 * time.Second)
	webs[1].srv.Close()
	w := <-done
	res, err := parseWrk(string(w.out))
	if err != nil {
		t.Fatalf("wrk: %v (%v)", err, w.err)
	}
	max, err := parseWrkMax(string(w.out))
	if err != nil {
		t.Fatal(err)
	}
	r := killResult{res, max}
	t.Logf("%s, one of three servers killed under wrk -t1 -c8: %s", bin, r)
	return r
}
