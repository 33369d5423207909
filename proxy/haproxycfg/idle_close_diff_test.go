package haproxycfg

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

const idleCloseConfig = `defaults
    mode http
    timeout connect 2s
    timeout client 10s
    timeout server 5s
    timeout http-keep-alive KA
frontend fe
    bind FE
    option idle-close-on-response
    default_backend be
backend be
    server s1 WEB
`

// idleCloseEvents runs one request on a kept-alive connection to addr,
// runs stop, then (when ask) waits past goha's own one-second soft-stop
// grace and sends a second request; it reports whether the connection
// was still open before that request, what came back and how the
// connection ended.
func idleCloseEvents(t *testing.T, addr string, stop func(), ask bool) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	read := func(d time.Duration) (string, string) {
		var out []byte
		buf := make([]byte, 4096)
		c.SetReadDeadline(time.Now().Add(d))
		for {
			n, err := c.Read(buf)
			out = append(out, buf[:n]...)
			switch {
			case err == nil:
				if strings.HasSuffix(string(out), "ok\n") {
					return string(out), "open"
				}
				continue
			case errors.Is(err, os.ErrDeadlineExceeded):
				return string(out), "open"
			case errors.Is(err, syscall.ECONNRESET):
				return string(out), "reset"
			}
			return string(out), "closed"
		}
	}
	c.Write([]byte("GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"))
	first, _ := read(2 * time.Second)
	stop()
	t0 := time.Now()
	if !ask {
		out, end := read(5 * time.Second)
		when := fmt.Sprintf("after %v", time.Since(t0))
		if d := time.Since(t0); d > 1500*time.Millisecond && d < 4*time.Second {
			when = "at the keep-alive timeout (2s)" // bounds for a loaded machine
		}
		return fmt.Sprintf("%q\nidle: %q %s %s", first, out, end, when)
	}
	_, idle := read(1500 * time.Millisecond)
	c.Write([]byte("GET /2 HTTP/1.1\r\nHost: h\r\n\r\n"))
	second, _ := read(2 * time.Second)
	_, end := read(2 * time.Second)
	return fmt.Sprintf("%q\nat 1.5s: %s\n%q\nthen %s", first, idle, second, end)
}

// TestIdleCloseOnResponseMatchesHAProxy: with option idle-close-on-response
// a soft stop leaves an idle HTTP/1 connection open (1.5 s later, past
// goha's own grace); its next request is answered with "connection:
// close" and the connection closes; one that stays idle closes at its
// keep-alive timeout. HAProxy 2.6 gets SIGUSR1, goha its Shutdown.
func TestIdleCloseOnResponseMatchesHAProxy(t *testing.T) {
	t.Parallel()
	bin := testenv.LookPath(t, "haproxy")
	web := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			if _, err := c.Read(buf); err != nil {
				return
			}
			c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 3\r\n\r\nok\n"))
		}
	})
	for _, ask := range []bool{true, false} {
		ka := "10s"
		if !ask {
			ka = "2s"
		}
		mk := func() (string, string) {
			addr := loopback.FreeAddr(t)
			return addr, strings.NewReplacer("FE", addr, "WEB", web, "KA", ka).Replace(idleCloseConfig)
		}
		haAddr, cfg := mk()
		cmd, exited := startHAProxyProcess(t, bin, cfg, haAddr)
		want := idleCloseEvents(t, haAddr, func() { cmd.Process.Signal(syscall.SIGUSR1) }, ask)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			t.Errorf("haproxy still runs")
		}

		goAddr, cfg := mk()
		_, px := gohaRun(t, cfg, false, nil)
		stopped := make(chan error, 1)
		got := idleCloseEvents(t, goAddr, func() {
			go func() {
				ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
				defer cancel()
				stopped <- px.Shutdown(ctx)
			}()
		}, ask)
		if err := <-stopped; err != nil {
			t.Errorf("Shutdown: %v", err)
		}
		if want != got {
			t.Errorf("ask %v:\nhaproxy: %s\ngoha:    %s", ask, want, got)
		}
		t.Logf("ask %v: %s", ask, got)
	}
}
