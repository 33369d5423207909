package haproxycfg

import (
	"bufio"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestStreamFetchDifferential: cur_server_timeout, cur_tunnel_timeout,
// cpu_calls, cpu_ns_*, lat_ns_* and thread beside HAProxy 2.6, in
// http-request rules before and after set-timeout, in a return, in
// http-response rules, on the second request of a connection, and in a
// TCP proxy's content and tcp-response rules. thread is goha's 0 where
// HAProxy names one of its threads: its shape only is compared.
func TestStreamFetchDifferential(t *testing.T) {
	web := loopback.StartWeb(t, "s").Addr
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 6s
listen li
    bind BIND
    timeout tunnel 9s
    http-request set-var(txn.a) cur_server_timeout
    http-request set-var(txn.t) cur_tunnel_timeout
    http-request set-timeout server 3s if { path_beg /st }
    http-request set-var(txn.b) cur_server_timeout
    http-request set-var(txn.c) cpu_calls
    http-request return status 200 hdr x-r "%[var(txn.a)] %[var(txn.t)] %[var(txn.b)] %[var(txn.c)] %[cur_server_timeout] %[cur_tunnel_timeout] %[cpu_calls] %[cpu_ns_avg] %[cpu_ns_tot] %[lat_ns_avg] %[lat_ns_tot]" hdr x-th "%[thread]" if { path_end /ret }
    http-response set-header x-r "%[var(txn.a)] %[var(txn.t)] %[var(txn.b)] %[var(txn.c)] %[cur_server_timeout] %[cur_tunnel_timeout] %[cpu_calls] %[cpu_ns_avg] %[cpu_ns_tot] %[lat_ns_avg] %[lat_ns_tot]"
    http-response set-header x-th "%[thread]"
    server s1 ` + web + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	var raw string
	paths := []string{"/", "/st", "/ret", "/st/ret", "/"}
	for i, p := range paths {
		raw += "GET " + p + " HTTP/1.1\r\nHost: h\r\n"
		if i == len(paths)-1 {
			raw += "Connection: close\r\n"
		}
		raw += "\r\n"
	}
	want, _ := exchangeFrom(t, "", ha, raw, time.Second)
	got, _ := exchangeFrom(t, "", goha, raw, time.Second)
	wr, err1 := difftest.ParseAll(want)
	gr, err2 := difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != len(paths) || len(gr) != len(paths) {
		t.Fatalf("%v %v\n%q\n%q", err1, err2, want, got)
	}
	for i := range paths {
		t.Logf("%s: haproxy %q thread %q", paths[i], wr[i].Headers["x-r"], wr[i].Headers["x-th"])
		if w, g := wr[i].Headers["x-r"], gr[i].Headers["x-r"]; w != g || w == "" {
			t.Errorf("%s: haproxy %q, goha %q", paths[i], w, g)
		}
		if n, err := strconv.Atoi(wr[i].Headers["x-th"]); err != nil || n < 0 || n > 63 {
			t.Errorf("%s: haproxy's thread %q", paths[i], wr[i].Headers["x-th"])
		}
		if g := gr[i].Headers["x-th"]; g != "0" {
			t.Errorf("%s: goha's thread %q, want 0", paths[i], g)
		}
	}

	// TCP: each rule rejects unless every figure is the one expected
	// there; both sides must let the exchange through.
	tcp := `defaults
    mode tcp
    timeout connect 2s
    timeout client 5s
    timeout server 6s
listen tl
    bind BIND
    timeout tunnel 9s
    tcp-request inspect-delay 1s
    tcp-request content reject unless { cpu_calls 1 } { cur_server_timeout 0 } { cur_tunnel_timeout 0 } { cpu_ns_tot 0 } { lat_ns_avg 0 } { thread ge 0 }
    tcp-request content accept
    tcp-response content reject unless { cur_server_timeout 6000 } { cur_tunnel_timeout 9000 } { cpu_calls 2 } { cpu_ns_avg 0 } { lat_ns_tot 0 }
    server s1 ` + tcpNamed(t, "s") + `
`
	requireRuns(t, strings.ReplaceAll(tcp, "BIND", "127.0.0.1:1"))
	ha, goha = startBoth(t, tcp)
	want, _ = exchangeFrom(t, "", ha, "x", time.Second)
	got, _ = exchangeFrom(t, "", goha, "x", time.Second)
	if string(want) != "s:x" || string(got) != string(want) {
		t.Errorf("tcp: haproxy %q, goha %q", want, got)
	}
}

// TestSetTimeoutTunnelDifferential: http-request set-timeout tunnel, and
// cur_tunnel_timeout after it, beside HAProxy 2.6: a connection upgraded
// by a 101 that nobody speaks on is closed once the tunnel timeout the
// rule set (or the backend's) is over.
func TestSetTimeoutTunnelDifferential(t *testing.T) {
	t.Parallel()
	upgrade := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if _, err := readHead(bufio.NewReader(c)); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: x\r\nConnection: upgrade\r\n\r\n")
		io.Copy(io.Discard, c)
	})
	cfg := httpHead + `listen li
    bind BIND
    timeout tunnel 1200ms
    http-request set-timeout tunnel 300ms if { path /t }
    http-request set-timeout tunnel req.hdr(x-tt)
    http-response set-header x-t "%[cur_tunnel_timeout] %[cur_server_timeout]"
    server s1 ` + upgrade + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	// The expression's value is in ms; no value (no header) leaves the
	// timeout as it was; a negative one closes the tunnel at once.
	// Each case runs again (three times at most) while either daemon's
	// close comes more than 250ms off the other's: on a busy machine
	// HAProxy itself is late by as much, and a real difference of the
	// timeout (300, 500, 1200ms or at once) shows in every round.
	for _, p := range []string{"/t", "/", "/t x-tt: 500", "/t x-tt: -1"} {
		path, hdr, _ := strings.Cut(p, " ")
		if hdr != "" {
			hdr += "\r\n"
		}
		raw := "GET " + path + " HTTP/1.1\r\nHost: h\r\n" + hdr + "Upgrade: x\r\nConnection: upgrade\r\n\r\n"
		for round := 1; ; round++ {
			var out [2]string
			var took [2]time.Duration
			var wg sync.WaitGroup
			for i, addr := range []string{ha, goha} {
				wg.Go(func() {
					start := time.Now()
					b, how := exchangeFrom(t, "", addr, raw, 3*time.Second)
					out[i], took[i] = string(b)+" "+how, time.Since(start)
				})
			}
			wg.Wait()
			t.Logf("%s: haproxy %q after %v, goha after %v", p, out[0], took[0], took[1])
			if out[0] != out[1] {
				t.Errorf("%s:\n haproxy %q\n goha    %q", p, out[0], out[1])
			}
			d := took[0] - took[1]
			if d <= 250*time.Millisecond && d >= -250*time.Millisecond {
				break
			}
			if round == 3 {
				t.Errorf("%s: haproxy closed after %v, goha after %v (three rounds)", p, took[0], took[1])
				break
			}
		}
	}
}
