package haproxycfg

import (
	"bufio"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// proxyLineServer records the PROXY v1 line of each connection, then
// closes it.
func proxyLineServer(t *testing.T) (addr string, lines func() []string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	var mu sync.Mutex
	var got []string
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.SetReadDeadline(time.Now().Add(2 * time.Second))
			l, _ := bufio.NewReader(c).ReadString('\n')
			mu.Lock()
			got = append(got, strings.TrimSpace(l))
			mu.Unlock()
			c.Close()
		}
	}()
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), got...)
	}
}

// TestSetSrcDstTCPDifferential: in a tcp-mode frontend, set-src and
// set-dst(-port) of tcp-request connection, session and content rules
// are what a send-proxy server is told, as HAProxy 2.6 tells it: the
// connection's source from a connection rule, the destination port from a
// session rule, the rest from content rules (a str cast to an address).
func TestSetSrcDstTCPDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	cfg := `defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    tcp-request connection set-src ipv4(10.0.0.1)
    tcp-request session set-dst-port int(99)
    tcp-request content set-src-port int(4444)
    tcp-request content set-dst str(10.3.3.3)
    default_backend be
backend be
    server s1 WEB send-proxy
`
	run := func(start func(cfg, bind string)) []string {
		web, lines := proxyLineServer(t)
		bind := loopback.FreeAddr(t)
		start(strings.ReplaceAll(strings.ReplaceAll(cfg, "BIND", bind), "WEB", web), bind)
		if _, err := difftest.Exchange(bind, []byte("hello\n"), time.Second); err != nil {
			t.Fatal(err)
		}
		return lines()
	}
	want := run(func(cfg, bind string) { difftest.StartHAProxy(t, cfg, bind) })
	got := run(func(cfg, _ string) { runPlan(t, cfg) })
	// HAProxy's readiness probe took a connection too (tcp mode).
	last := func(l []string) string {
		if len(l) == 0 {
			return ""
		}
		return l[len(l)-1]
	}
	if last(want) != "PROXY TCP4 10.0.0.1 10.3.3.3 4444 99" {
		t.Errorf("HAProxy's server was told %q", want)
	}
	if last(want) != last(got) {
		t.Errorf("PROXY line: haproxy %q, goha %q", last(want), last(got))
	}
}
