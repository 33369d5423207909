package haproxycfg

import (
	"context"
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

// startNamedNumberer is a server answering each request with its name and
// the number of the TCP connection the request came on ("s1.2"); a
// request for /slow is answered after 300 ms, and one for /close with
// Connection: close.
func startNamedNumberer(t *testing.T, name string) string {
	t.Helper()
	conns := new(atomic.Int64)
	ln := loopback.Listen(t)
	srv := &http.Server{
		ErrorLog: log.New(io.Discard, "", 0),
		ConnContext: func(ctx context.Context, _ net.Conn) context.Context {
			return context.WithValue(ctx, connNumberKey{}, conns.Add(1))
		},
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/slow":
				time.Sleep(300 * time.Millisecond)
			case "/close":
				w.Header().Set("Connection", "close")
			}
			fmt.Fprintf(w, "%s.%d", name, r.Context().Value(connNumberKey{}))
		}),
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// preferLastSteps plays steps through the proxy at addr: each step is
// "<client>:<path>" (a kept-alive HTTP/1.1 client, opened on its first
// request), run one after the other, or "&<client>:<path>", started in
// the background 50 ms before the next step (its answer comes last), or
// "=<duration>", a pause. It
// gives who answered each request on which server connection.
func preferLastSteps(t *testing.T, addr string, steps []string) string {
	t.Helper()
	clients := newKeptClients(t, addr)
	defer clients.close()
	var mu sync.Mutex
	var wg sync.WaitGroup
	got := make([]string, len(steps))
	for i, step := range steps {
		if d, ok := strings.CutPrefix(step, "="); ok {
			pause, _ := time.ParseDuration(d)
			time.Sleep(pause)
			got[i] = step
			continue
		}
		bg := strings.HasPrefix(step, "&")
		who, path, _ := strings.Cut(strings.TrimPrefix(step, "&"), ":")
		cl := clients.client(who)
		do := func() {
			answer, err := cl.get(path)
			if err != nil {
				answer = "err"
			}
			mu.Lock()
			got[i] = who + path + ":" + answer
			mu.Unlock()
		}
		if bg {
			wg.Add(1)
			go func() { defer wg.Done(); do() }()
			time.Sleep(50 * time.Millisecond)
			continue
		}
		do()
		// The proxy hands the server connection back once the response
		// is out: the client's next request must not overtake that.
		time.Sleep(10 * time.Millisecond)
	}
	wg.Wait()
	return strings.Join(got, " ")
}

// TestPreferLastServerDifferential: option prefer-last-server and
// max-keep-alive-queue, the same kept-alive clients through HAProxy 2.6
// and goha, which server and which server connection answered each
// request. HAProxy keeps a kept-alive client on its last server only
// while the client's session holds a connection to it (http-reuse
// never); under safe and always the option changes nothing, and hashing
// algorithms ignore it. A server that closed the session's connection
// is not preferred anymore; a full last server is waited for unless
// max-keep-alive-queue says otherwise.
func TestPreferLastServerDifferential(t *testing.T) {
	t.Parallel()
	plain := []string{"A:/", "B:/", "A:/", "B:/", "C:/", "A:/", "D:/", "B:/", "C:/", "E:/", "E:/", "F:/"}
	closing := []string{"A:/", "A:/close", "A:/", "A:/", "B:/", "A:/"}
	queued := []string{"A:/", "B:/", "D:/", "&C:/slow", "A:/", "A:/"}
	cycle := []string{"A:/", "A:/", "A:/", "A:/", "A:/", "A:/", "A:/", "B:/", "B:/", "B:/", "B:/"}
	cases := []struct {
		name, lines string
		steps       []string
	}{
		{"safe", "balance roundrobin\n    option prefer-last-server\n", plain},
		{"always", "balance roundrobin\n    option prefer-last-server\n    http-reuse always\n", plain},
		{"never", "balance roundrobin\n    option prefer-last-server\n    http-reuse never\n", plain},
		{"never-without", "balance roundrobin\n    http-reuse never\n", plain},
		{"never-no-option", "balance roundrobin\n    option prefer-last-server\n    no option prefer-last-server\n    http-reuse never\n", plain},
		{"never-static-rr", "balance static-rr\n    option prefer-last-server\n    http-reuse never\n", plain},
		{"never-leastconn", "balance leastconn\n    option prefer-last-server\n    http-reuse never\n", plain},
		{"never-first", "balance first\n    option prefer-last-server\n    http-reuse never\n", plain},
		{"never-uri", "balance uri\n    option prefer-last-server\n    http-reuse never\n", plain},
		{"never-close", "balance roundrobin\n    option prefer-last-server\n    http-reuse never\n", closing},
		{"never-queue", "balance roundrobin\n    option prefer-last-server\n    http-reuse never\n    timeout queue 2s\n", queued},
		{"never-queue-0", "balance roundrobin\n    option prefer-last-server\n    http-reuse never\n    max-keep-alive-queue 0\n", queued},
		{"session-conns", "balance roundrobin\n    http-reuse never\n", cycle},
		{"session-conns-2", "balance roundrobin\n    http-reuse never\n    max-session-srv-conns 2\n", cycle},
		{"session-conns-1", "balance roundrobin\n    http-reuse never\n    max-session-srv-conns 1\n", cycle},
		{"session-conns-0", "balance roundrobin\n    http-reuse never\n    max-session-srv-conns 0\n", cycle},
		{"session-conns-prefer-1", "balance roundrobin\n    http-reuse never\n    option prefer-last-server\n    max-session-srv-conns 1\n", cycle},
		{"never-queue-1", "balance roundrobin\n    option prefer-last-server\n    http-reuse never\n    max-keep-alive-queue 1\n", queued},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(tc.name, "queue") {
				t.Parallel() // the others wait 50 ms for a slow request
			}
			var srvs strings.Builder
			for _, name := range []string{"s1", "s2", "s3"} {
				fmt.Fprintf(&srvs, "    server %s %s maxconn 1\n", name, startNamedNumberer(t, name))
			}
			cfg := `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
listen li
    bind BIND
    ` + tc.lines + srvs.String()
			haSrvs := srvs.String()
			srvs.Reset()
			for _, name := range []string{"s1", "s2", "s3"} {
				fmt.Fprintf(&srvs, "    server %s %s maxconn 1\n", name, startNamedNumberer(t, name))
			}
			goCfg := strings.Replace(cfg, haSrvs, srvs.String(), 1)
			ha, goha := startBothCfgs(t, cfg, goCfg)
			want := preferLastSteps(t, ha, tc.steps)
			got := preferLastSteps(t, goha, tc.steps)
			t.Logf("haproxy %s", want)
			if want != got {
				t.Errorf("\nhaproxy %s\ngoha    %s", want, got)
			}
		})
	}
}

// TestSessionConnsOutliveIdleDifferential: a client session's own server
// connections (http-reuse never) stay its own however long they wait
// idle, longer than timeout server here, as long as the client stays
// connected and the server keeps them open (goha closed them after 5 s):
// which server connection each request of three kept-alive clients got,
// before and after 5.5 s of silence, through HAProxy 2.6 and goha at
// once.
func TestSessionConnsOutliveIdleDifferential(t *testing.T) {
	t.Parallel()
	steps := []string{"A:/", "B:/", "C:/", "A:/", "=5500ms", "A:/", "B:/", "C:/", "B:/"}
	cfg := func() string {
		return `global
    nbthread 1
defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 1s
listen li
    bind BIND
    http-reuse never
    server s1 ` + startNamedNumberer(t, "s1") + "\n"
	}
	ha, goha := startBothCfgs(t, cfg(), cfg())
	var want, got string
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); want = preferLastSteps(t, ha, steps) }()
	go func() { defer wg.Done(); got = preferLastSteps(t, goha, steps) }()
	wg.Wait()
	t.Logf("haproxy %s", want)
	if want != got {
		t.Errorf("\nhaproxy %s\ngoha    %s", want, got)
	}
}

// startBothCfgs is startBoth with a configuration for each daemon (their
// servers differ: each counts its own connections).
func startBothCfgs(t *testing.T, haCfg, goCfg string) (ha, goha string) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	ha, goha = loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.ReplaceAll(haCfg, "BIND", ha), ha)
	runPlan(t, strings.ReplaceAll(goCfg, "BIND", goha))
	return ha, goha
}
