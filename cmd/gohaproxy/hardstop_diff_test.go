package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// global `hard-stop-after` without master-worker, beside HAProxy 2.6: a
// soft stop (SIGUSR1) with a request in flight on a server that holds
// its answer ends the process once hard-stop-after (300 ms) has passed,
// not when the server answers: the exit status, what the client got, and
// when the process ended (300 ms to 3 s after the signal, a loaded
// machine's margin) on both sides.
func TestHardStopAfterMatchesHAProxy(t *testing.T) {
	real := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	bin := pmBinary(t, dir)
	release := make(chan struct{})
	defer close(release)
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			io.WriteString(w, "ok") // waitServing's
			return
		}
		select {
		case <-release:
		case <-time.After(10 * time.Second):
		}
		io.WriteString(w, "late")
	})}
	go srv.Serve(ln)
	defer srv.Close()
	var got [2]string
	for i, b := range []string{real, bin} {
		addr := loopback.FreeAddr(t)
		cfg := filepath.Join(dir, fmt.Sprintf("hs%d.cfg", i))
		pmConfig(t, cfg, addr, ln.Addr().String(), "    hard-stop-after 300ms")
		p := startPM(t, b, nil, nil, "-db", "-f", cfg)
		waitServing(t, addr)
		answer := make(chan string, 1)
		go func() {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				answer <- err.Error()
				return
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(8 * time.Second))
			fmt.Fprintf(c, "GET /slow HTTP/1.1\r\nHost: h\r\n\r\n")
			out, err := io.ReadAll(c)
			answer <- fmt.Sprintf("%q err=%v", out, err != nil)
		}()
		time.Sleep(300 * time.Millisecond) // the request is in flight
		signalled := time.Now()
		p.cmd.Process.Signal(syscall.SIGUSR1)
		select {
		case <-p.done:
		case <-time.After(5 * time.Second):
			t.Fatalf("%s still runs 5 s after SIGUSR1", b)
		}
		took := time.Since(signalled)
		got[i] = fmt.Sprintf("%v, client %s", p.err, <-answer)
		t.Logf("%s: %s after %v", b, got[i], took)
		if took < 250*time.Millisecond || took > 3*time.Second {
			t.Errorf("%s ended %v after SIGUSR1 (hard-stop-after 300ms)", b, took)
		}
	}
	if got[0] != got[1] {
		t.Errorf("haproxy: %s\ngoha:    %s", got[0], got[1])
	}
}
