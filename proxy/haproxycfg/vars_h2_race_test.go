package haproxycfg

import (
	"context"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestH2SessVarsConcurrentStreams: the streams of one HTTP/2 connection
// running at once (answered, reset by the client while their server
// says nothing, timed out by timeout server) share the session's
// variables and its tune.vars.sess-max-size room without a race (run
// with -race), and every stream gives its txn and req bytes back on
// every way it ends: afterwards a stream still finds room for a
// session variable that fits only when nothing of theirs is left
// counted.
func TestH2SessVarsConcurrentStreams(t *testing.T) {
	mute, err := net.Listen("tcp", "127.0.0.1:0") // accepts, never answers
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			c, err := mute.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		mute.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	})
	big := strings.Repeat("b", 200)
	cfg := `global
    tune.vars.sess-max-size 400
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 300ms
frontend fe
    bind BIND proto h2
    http-request set-var(sess.n) var(sess.n),add(1) if { var(sess.n) -m found }
    http-request set-var(sess.n) int(1) unless { var(sess.n) -m found }
    http-request set-var(txn.t) str(tttttttttt) unless { path /check }
    http-request set-var(req.r) str(r) unless { path /check }
    http-request set-var(sess.big) str(` + big + `) if { path /check }
    http-request return status 200 content-type text/plain lf-string "big=%[var(sess.big),length] n=%[var(sess.n)]" if { path /check }
    http-request return status 200 content-type text/plain lf-string "t=%[var(txn.t)]" if { path /fast }
    default_backend mute
backend mute
    server s1 ` + mute.Addr().String() + `
`
	addr := loopback.FreeAddr(t)
	runPlan(t, strings.ReplaceAll(cfg, "BIND", addr))
	tr := h2cTransport(addr)
	defer tr.CloseIdleConnections()
	cl := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	get := func(ctx context.Context, path string) (string, error) {
		req, _ := http.NewRequestWithContext(ctx, "GET", "http://h"+path, nil)
		resp, err := cl.Do(req)
		if err != nil {
			return "", err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp.Status + " " + string(b), err
	}
	if got, err := get(context.Background(), "/fast"); err != nil || !strings.Contains(got, "200") {
		t.Fatalf("first stream: %q %v", got, err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 60; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			switch i % 3 {
			case 0:
				get(context.Background(), "/fast")
			case 1: // reset by the client while the server is silent
				ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
				defer cancel()
				get(ctx, "/slow")
			default: // timeout server: a 504
				get(context.Background(), "/slow")
			}
		}(i)
	}
	wg.Wait()
	// the resets reach the proxy's streams asynchronously: their ends may
	// come after the client has given up; wait until a check passes
	deadline := time.Now().Add(3 * time.Second)
	// (n: every stream went on the one connection, 62 before the checks)
	want := "200 OK big=200 n="
	got := ""
	for time.Now().Before(deadline) {
		got, err = get(context.Background(), "/check")
		if n, _ := strconv.Atoi(strings.TrimPrefix(got, want)); err == nil && strings.HasPrefix(got, want) && n >= 63 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Errorf("after the concurrent streams: %q (%v), want %q: bytes left counted in the session", got, err, want)
}
