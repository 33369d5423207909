package main

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// leakEnv is a gohaproxy process with an HTTP keep-alive frontend, an HTTP
// `option httpclose` frontend and a TCP-mode frontend, all balancing over
// three Go backends, and its debug listener.
type leakEnv struct {
	pid                  int
	keepAlive, httpClose string
	tcp                  string
	debug                string
}

func startLeakEnv(t *testing.T) *leakEnv {
	t.Helper()
	var servers strings.Builder
	for i := 1; i <= 3; i++ {
		fmt.Fprintf(&servers, "    server s%d %s\n", i, loopback.StartWeb(t, fmt.Sprintf("server%d", i)).Addr)
	}
	e := &leakEnv{keepAlive: loopback.FreeAddr(t), httpClose: loopback.FreeAddr(t), tcp: loopback.FreeAddr(t), debug: loopback.FreeAddr(t)}
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "leak.cfg")
	cfg := fmt.Sprintf(`global
    maxconn 2000
defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
frontend ka
    bind %s
    default_backend web
frontend closing
    bind %s
    option httpclose
    default_backend web
frontend raw
    bind %s
    mode tcp
    default_backend webtcp
backend web
%sbackend webtcp
    mode tcp
%s`, e.keepAlive, e.httpClose, e.tcp, servers.String(), servers.String())
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(gohaproxyBin(t), "-db", "-q", "-f", cfgPath)
	cmd.Env = append(os.Environ(), "GOHAPROXY_DEBUG_ADDR="+e.debug)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	e.pid = cmd.Process.Pid
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	for _, a := range []string{e.keepAlive, e.httpClose, e.tcp, e.debug} {
		loopback.WaitListen(t, a)
	}
	return e
}

// goroutines asks the process's debug listener for runtime.NumGoroutine.
func (e *leakEnv) goroutines(t *testing.T) int {
	t.Helper()
	c := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get("http://" + e.debug + "/debug/goroutines")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("goroutines: %q", b)
	}
	return n
}

// settled waits (bounded) after the clients closed until the descriptor
// and goroutine counts are at most the given ceilings and the same in two
// readings 200 ms apart, and returns them.
func (e *leakEnv) settled(t *testing.T, maxFDs, maxG int) (fds, gs int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	lastF, lastG := -1, -1
	for {
		fds, gs = countFDs(t, e.pid), e.goroutines(t)
		if (fds <= maxFDs && gs <= maxG && fds == lastF && gs == lastG) || time.Now().After(deadline) {
			return fds, gs
		}
		lastF, lastG = fds, gs
		time.Sleep(200 * time.Millisecond)
	}
}

// leakLoad is one client's share of the mix: rounds of 50 requests on one
// keep-alive connection, 10 requests each on a new connection with
// `Connection: close`, one on a new connection through the httpclose
// frontend and one HTTP/1.0 exchange through the TCP-mode frontend.
func (e *leakEnv) leakLoad(rounds int, deadline time.Time, done *atomic.Int64) error {
	const req = "GET / HTTP/1.1\r\nHost: leak\r\n\r\n"
	readOK := func(br *bufio.Reader) error {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			return err
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if resp.StatusCode != 200 || !strings.HasPrefix(string(b), "server") {
			return fmt.Errorf("answer %d %q", resp.StatusCode, b)
		}
		done.Add(1)
		return nil
	}
	oneShot := func(addr, request string) error {
		c, err := net.DialTimeout("tcp", addr, 5*time.Second)
		if err != nil {
			return err
		}
		defer c.Close()
		c.SetDeadline(deadline)
		if _, err := io.WriteString(c, request); err != nil {
			return err
		}
		return readOK(bufio.NewReader(c))
	}
	for r := 0; r < rounds; r++ {
		c, err := net.DialTimeout("tcp", e.keepAlive, 5*time.Second)
		if err != nil {
			return err
		}
		c.SetDeadline(deadline)
		br := bufio.NewReader(c)
		for i := 0; i < 50; i++ {
			if _, err := io.WriteString(c, req); err != nil {
				c.Close()
				return err
			}
			if err := readOK(br); err != nil {
				c.Close()
				return fmt.Errorf("keep-alive request %d: %w", i, err)
			}
		}
		c.Close()
		for i := 0; i < 10; i++ {
			if err := oneShot(e.keepAlive, "GET / HTTP/1.1\r\nHost: leak\r\nConnection: close\r\n\r\n"); err != nil {
				return fmt.Errorf("new connection: %w", err)
			}
		}
		if err := oneShot(e.httpClose, req); err != nil {
			return fmt.Errorf("httpclose frontend: %w", err)
		}
		if err := oneShot(e.tcp, "GET / HTTP/1.0\r\n\r\n"); err != nil {
			return fmt.Errorf("tcp frontend: %w", err)
		}
	}
	return nil
}

// The proof: no descriptor or goroutine leak in the gohaproxy
// binary after 100,000 requests (keep-alive, new connections, httpclose and
// TCP mode, eight clients at once). Counts are taken from /proc/PID/fd and
// the debug listener once the clients closed, after a warm-up that filled
// the idle server-connection pools, and may only differ by a small
// constant (idle pooled server connections, timers).
func TestNoLeakAfter100kRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("100,000 requests")
	}
	const (
		clients = 8
		perRnd  = 62 // 50 keep-alive + 10 new connections + httpclose + tcp
		total   = 100000
		rounds  = (total + clients*perRnd - 1) / (clients * perRnd)
		slack   = 16
	)
	e := startLeakEnv(t)
	deadline := time.Now().Add(150 * time.Second)
	var done atomic.Int64
	if err := parallel(clients, clients, func(int) error { return e.leakLoad(2, deadline, &done) }); err != nil {
		t.Fatalf("warm-up: %v", err)
	}
	fds0, g0 := e.settled(t, 1<<30, 1<<30)
	start := time.Now()
	if err := parallel(clients, clients, func(int) error { return e.leakLoad(rounds, deadline, &done) }); err != nil {
		t.Fatalf("after %d requests: %v", done.Load(), err)
	}
	n := done.Load() - clients*2*perRnd
	if n < total {
		t.Fatalf("only %d requests done", n)
	}
	took := time.Since(start)
	fds1, g1 := e.settled(t, fds0+slack/2, g0+slack/2)
	t.Logf("%d requests in %v (%.0f req/s); fds %d -> %d, goroutines %d -> %d, VmRSS %s kB",
		n, took.Round(time.Millisecond), float64(n)/took.Seconds(), fds0, fds1, g0, g1, procStatus(t, e.pid, "VmRSS"))
	if fds1 > fds0+slack {
		t.Errorf("descriptors grew from %d to %d after %d requests", fds0, fds1, n)
	}
	if g1 > g0+slack {
		t.Errorf("goroutines grew from %d to %d after %d requests", g0, g1, n)
	}
}
