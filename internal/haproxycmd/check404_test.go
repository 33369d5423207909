package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
)

// healthWeb is a backend whose /health answers 200 or 404 as told and
// whose other paths answer its name.
func healthWeb(t *testing.T, name string, ok *atomic.Bool) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" && !ok.Load() {
			rw.WriteHeader(404)
		}
		io.WriteString(rw, name+"\n")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// `http-check disable-on-404`: a server whose check answers 404 stops
// taking traffic but stays UP (NOLB), and comes back with a 200. What
// HAProxy 2.6.12 shows for the same sequence (captured by hand):
//
//	[WARNING]  (pid) : Server b/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.
//	show stat:          b,s1,...,NOLB,... check_status L7OKC, check_code 404
//	show servers state: 2 b 1 s1 127.0.0.1 3 0 1 1 <t> 16 4 4 6 ...
//	[WARNING]  (pid) : Server b/s1 is UP, reason: Layer7 check passed, code: 200, ...
func TestDisableOn404Drains(t *testing.T) {
	var ok1, ok2 atomic.Bool
	ok1.Store(true)
	ok2.Store(true)
	a1, a2 := healthWeb(t, "server1", &ok1), healthWeb(t, "server2", &ok2)
	dir := t.TempDir()
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(dir, "stats")
	cfgPath := filepath.Join(dir, "d404.cfg")
	os.WriteFile(cfgPath, []byte(fmt.Sprintf(`global
    stats socket %s mode 600 level admin
    spread-checks 5
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
backend b
    option httpchk GET /health
    http-check disable-on-404
    server s1 %s check inter 100ms
    server s2 %s check inter 100ms
frontend f
    bind %s
    default_backend b
`, sock, a1, a2, bind)), 0o644)
	_, stderr := inProcess(t, cfgPath, false) // gohaproxy -db -f cfgPath
	loopback.WaitListen(t, bind)
	pid := os.Getpid()

	s1Row := func() []string {
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show stat"), "\n") {
			if strings.HasPrefix(l, "b,s1,") {
				return strings.Split(l, ",")
			}
		}
		t.Fatal("no b,s1 row")
		return nil
	}
	waitStatus := func(want string) []string {
		deadline := time.Now().Add(10 * time.Second)
		for {
			row := s1Row()
			if row[17] == want || time.Now().After(deadline) {
				return row
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if row := waitStatus("UP"); row[17] != "UP" {
		t.Fatalf("s1 status %q before the 404", row[17])
	}
	ok1.Store(false)
	row := waitStatus("NOLB")
	if row[17] != "NOLB" || row[36] != "L7OKC" || row[37] != "404" {
		t.Fatalf("s1 after a 404: status %q check %q code %q", row[17], row[36], row[37])
	}
	for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show servers state"), "\n") {
		if f := strings.Fields(l); len(f) > 13 && f[3] == "s1" {
			if f[5] != "3" || f[10] != "16" || f[11] != "4" {
				t.Errorf("servers state of the stopping server: %q (want op 3, check 16, result 4)", l)
			}
		}
	}
	for i := 0; i < 6; i++ {
		if got := loopback.Get(t, bind); got != "200 server2" {
			t.Errorf("request %d while s1 drains: %q", i, got)
		}
	}
	ok1.Store(true)
	if row := waitStatus("UP"); row[17] != "UP" {
		t.Fatalf("s1 status %q after the 200", row[17])
	}
	seen := map[string]bool{}
	for i := 0; i < 4; i++ {
		seen[loopback.Get(t, bind)] = true
	}
	if !seen["200 server1"] || !seen["200 server2"] {
		t.Errorf("after s1 came back: %v", seen)
	}
	out := stderr.String()
	for _, want := range []string{
		fmt.Sprintf("[WARNING]  (%d) : Server b/s1 is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: ", pid),
		"ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.\n",
		fmt.Sprintf("[WARNING]  (%d) : Server b/s1 is UP, reason: Layer7 check passed, code: 200, check duration: ", pid),
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stderr lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "not supported") {
		t.Errorf("stderr: %s", out)
	}
}
