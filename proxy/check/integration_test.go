package check

import (
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// A real HTTP server on 127.0.0.1 checked with real probes, driven by a
// fake clock: when it stops listening it is DOWN after exactly fall checks
// (so within fall x inter), and UP again after rise checks once it is back.
func TestRealServerGoesDownWithinFallChecks(t *testing.T) {
	const rise, fall = 2, 3
	srv := startRaw(t, "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", false)
	addr := srv.addr()

	clock := newFakeClock()
	var mu sync.Mutex
	var lines []string
	var ups []bool
	r := mustRunner(t, []*Target{{Backend: "servers", Server: "web1", Addr: addr, Rise: rise, Fall: fall,
		Intervals: sameIntervals(time.Second), Prober: HTTPProbe{Request: defaultRequest}, Timeouts: Timeouts{Connect: time.Second, Total: time.Second}}},
		RunnerOptions{Clock: clock,
			Apply: func(e Event) { ups = append(ups, e.Up) },
			Log: func(l Line) {
				mu.Lock()
				lines = append(lines, l.Text)
				mu.Unlock()
			}})
	r.Start()
	defer r.Stop()
	clock.Advance(0) // first check: fully healthy
	if h, _, _ := r.State("servers", "web1"); !h.Full() {
		t.Fatalf("not healthy after first check: %s", h.Status())
	}
	srv.ln.Close()
	checks := 0
	for h, _, _ := r.State("servers", "web1"); h.Up(); h, _, _ = r.State("servers", "web1") {
		clock.Advance(time.Second)
		if checks++; checks > 10 {
			t.Fatal("never went down")
		}
	}
	if checks != fall {
		t.Errorf("down after %d checks, want %d (fall)", checks, fall)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("port %s taken meanwhile: %v", addr, err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			buf := make([]byte, 1024)
			c.Read(buf)
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"))
			c.Close()
		}
	}()
	checks = 0
	for h, _, _ := r.State("servers", "web1"); !h.Up(); h, _, _ = r.State("servers", "web1") {
		clock.Advance(time.Second)
		if checks++; checks > 10 {
			t.Fatal("never came back")
		}
	}
	if checks != rise {
		t.Errorf("up after %d checks, want %d (rise)", checks, rise)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(ups) != 2 || ups[0] || !ups[1] {
		t.Errorf("events %v", ups)
	}
	want := []string{
		`Server servers/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`backend servers has no server available!`,
		`Server servers/web1 is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.`,
	}
	got := strings.Join(lines, "\n")
	for _, w := range want {
		if !strings.Contains(got, strings.Split(w, "check duration")[0]) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}
