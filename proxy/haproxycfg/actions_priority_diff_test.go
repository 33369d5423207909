package haproxycfg

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// recordingWeb serves each request after noting its path and x-prio
// header, in the order they arrive; /slow holds its answer for hold.
func recordingWeb(t *testing.T, hold time.Duration) (addr string, seen func() []string) {
	t.Helper()
	var mu sync.Mutex
	var order []string
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		mu.Lock()
		order = append(order, r.URL.Path+" "+r.Header.Get("x-prio"))
		mu.Unlock()
		if r.URL.Path == "/slow" {
			time.Sleep(hold)
		}
		rw.Write([]byte("ok\n"))
	})
	return origin, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), order...)
	}
}

// TestPriorityQueueDifferential: http-request set-priority-class and
// set-priority-offset order the backend queue of a server with maxconn 1
// as HAProxy 2.6 orders it (lowest class first, then arrival plus
// offset), with its bounds on both values; prio_class and prio_offset
// read them back.
func TestPriorityQueueDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	cfg := httpHead + `    timeout queue 5s
frontend fe
    bind BIND
    http-request set-priority-class url_param(c) if { url_param(c) -m found }
    tcp-request content set-priority-offset url_param(o) if { url_param(o) -m found }
    http-request set-header x-prio %[prio_class]/%[prio_offset]
    default_backend web
backend web
    server w1 WEB maxconn 1
`
	paths := []string{"/q1?c=5", "/q2?c=1", "/q3?c=1&o=-1000", "/q4", "/q5?c=-3000", "/q6?c=1&o=5000", "/q7?c=5&o=1000000", "/q8?c=x"}
	run := func(start func(cfg, bind string)) []string {
		web, seen := recordingWeb(t, 800*time.Millisecond)
		bind := loopback.FreeAddr(t)
		start(strings.ReplaceAll(strings.ReplaceAll(cfg, "BIND", bind), "WEB", web), bind)
		get := func(path string, wg *sync.WaitGroup) {
			defer wg.Done()
			out, err := difftest.Exchange(bind, []byte("GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"), 4*time.Second)
			if err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 200") {
				t.Errorf("%s %s: %q %v", bind, path, out, err)
			}
		}
		var wg sync.WaitGroup
		wg.Add(1)
		go get("/slow", &wg)
		time.Sleep(150 * time.Millisecond)
		for _, p := range paths {
			wg.Add(1)
			go get(p, &wg)
			time.Sleep(50 * time.Millisecond) // queued one after the other
		}
		wg.Wait()
		return seen()
	}
	want := run(func(cfg, bind string) { difftest.StartHAProxy(t, cfg, bind) })
	got := run(func(cfg, _ string) { runPlan(t, cfg) })
	wantOrder := "[/slow 0/0 /q5 -2047/0 /q4 0/0 /q8 0/0 /q3 1/-1000 /q2 1/0 /q6 1/5000 /q1 5/0 /q7 5/524287]"
	if fmt.Sprint(want) != wantOrder {
		t.Errorf("HAProxy served %v, want %s", want, wantOrder)
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		t.Errorf("served in order:\nhaproxy %v\ngoha    %v", want, got)
	}
}
