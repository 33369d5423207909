package haproxycmd

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Global maxsslconn and maxsslrate with TLS in use, beside HAProxy 2.6.12
// (proxy/ssl_limits.go): the same configuration and clients for both
// daemons, what each client gets and what `show info` says compared, and
// HAProxy's own answers checked against what was measured, so that a
// difference in either shows.
func TestSSLLimitsMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	crt := selfSignedPEM(t)
	backend := tlsEchoServer(t, crt)
	bins := []string{"haproxy", gohaproxy}
	var mu sync.Mutex
	conn := map[string][]string{}
	rate := map[string][]string{}
	var wg sync.WaitGroup
	for _, bin := range bins {
		wg.Add(2)
		go func() {
			defer wg.Done()
			got := sslConnScenario(t, bin, crt, backend)
			mu.Lock()
			conn[bin] = got
			mu.Unlock()
		}()
		go func() {
			defer wg.Done()
			got := sslRateScenario(t, bin, crt)
			mu.Lock()
			rate[bin] = got
			mu.Unlock()
		}()
	}
	wg.Wait()
	for _, c := range []struct {
		name string
		got  map[string][]string
		want []string
	}{
		{"maxsslconn 2", conn, []string{
			"tls 1: handshake", "tls 2: handshake", "tls 3: no answer",
			"info: CurrSslConns 2 MaxSslConns 2 CumSslConns 2 CurrConns 2 CumConns 8",
			"plain: 200", "tcp over ssl server: echo",
			"tcp over ssl server at the limit: closed", "http over ssl server at the limit: 500",
			"log: httpfe httpbe/s1 -1 500 IC 0/0/0", "log: tcpfe tcpbe/s1 -1 0 IC 1/1/0",
			"tls 4 after tls 1 closed: handshake", "tls 3 then: no answer",
			"info: CurrSslConns 1 MaxSslConns 2 CumSslConns 4 CurrConns 1 CumConns 18",
		}},
		{"maxsslrate 2", rate, []string{
			"tls 1: at once", "tls 2: at once", "tls 3: delayed", "plain: at once",
			"info: SslRateLimit 2",
		}},
	} {
		ha, goha := strings.Join(c.got["haproxy"], "\n"), strings.Join(c.got[gohaproxy], "\n")
		if want := strings.Join(c.want, "\n"); ha != want {
			t.Errorf("%s: haproxy:\n%s\nwant (as measured):\n%s", c.name, ha, want)
		}
		if ha != goha {
			t.Errorf("%s: haproxy:\n%s\ngoha:\n%s", c.name, ha, goha)
		}
	}
}

// sslConnScenario runs maxsslconn 2: two TLS clients held, a third left
// unanswered, a plain client served; then server-side TLS connections
// counted in the same limit; then a fourth TLS client once slots are free,
// while the third stays unanswered.
func sslConnScenario(t *testing.T, bin, crt, backend string) []string {
	dir := t.TempDir()
	tlsBind, plain, tcpFe, httpFe := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	syslog := loopback.ListenUDP(t)
	head := strings.Replace(fmt.Sprintf(adminHead, dir), "defaults\n",
		fmt.Sprintf("    maxsslconn 2\n    log %s local0\ndefaults\n    log global\n    log-format \"%%ft %%b/%%s %%Tc %%ST %%ts %%bc/%%sc/%%rc\"\n", syslog.LocalAddr()), 1)
	cfg := head +
		fmt.Sprintf("frontend fe\n    bind %s ssl crt %s\n    bind %s\n    http-request return status 200\n", tlsBind, crt, plain) +
		fmt.Sprintf("frontend tcpfe\n    mode tcp\n    bind %s\n    default_backend tcpbe\n", tcpFe) +
		fmt.Sprintf("backend tcpbe\n    mode tcp\n    server s1 %s ssl verify none\n", backend) +
		fmt.Sprintf("frontend httpfe\n    bind %s\n    default_backend httpbe\n", httpFe) +
		fmt.Sprintf("backend httpbe\n    server s1 %s ssl verify none\n", backend)
	// Probing the TLS bind, or a frontend whose server speaks TLS, would
	// take a slot: one clear-text bind says the process is up.
	startWithConfig(t, bin, cfg, plain)
	sock := filepath.Join(dir, "s.sock")
	var out []string
	// CurrConns leaves the unanswered client out; CumConns counts it, and
	// the stats socket's connections, in both daemons.
	info := func() {
		var f []string
		for _, k := range []string{"CurrSslConns", "MaxSslConns", "CumSslConns", "CurrConns", "CumConns"} {
			f = append(f, k+" "+haproxytest.ShowInfoField(t, sock, k))
		}
		out = append(out, "info: "+strings.Join(f, " "))
	}
	c1, r1 := tlsClient(t, tlsBind, 2*time.Second)
	c2, r2 := tlsClient(t, tlsBind, 2*time.Second)
	c3, r3 := tlsClient(t, tlsBind, 700*time.Millisecond)
	out = append(out, "tls 1: "+r1, "tls 2: "+r2, "tls 3: "+r3)
	info()
	out = append(out, "plain: "+httpStatus(t, plain))
	// Two TLS connections are open: the first TCP client's server
	// connection needs a slot, so one client must leave first.
	c2.Close()
	time.Sleep(200 * time.Millisecond)
	a := dialT(t, tcpFe)
	a.SetDeadline(time.Now().Add(2 * time.Second))
	fmt.Fprintf(a, "hi\n")
	line, err := bufio.NewReader(a).ReadString('\n')
	out = append(out, "tcp over ssl server: "+map[bool]string{true: "echo", false: fmt.Sprintf("%q %v", line, err)}[line == "hi\n"])
	b := dialT(t, tcpFe)
	b.SetDeadline(time.Now().Add(2 * time.Second))
	n, err := b.Read(make([]byte, 1))
	out = append(out, "tcp over ssl server at the limit: "+map[bool]string{true: "closed", false: fmt.Sprintf("%d %v", n, err)}[n == 0 && err != nil && !isTimeout(err)])
	out = append(out, "http over ssl server at the limit: "+httpStatus(t, httpFe))
	// The two refused server connections' log lines (the others come as
	// their clients leave).
	var refused []string
	readSyslog(syslog, func(d string) bool {
		if _, l, ok := strings.Cut(d, "]: "); ok && strings.Contains(l, " IC ") {
			refused = append(refused, "log: "+strings.TrimSpace(l))
		}
		return len(refused) < 2
	})
	sort.Strings(refused)
	out = append(out, refused...)
	a.Close()
	c1.Close()
	time.Sleep(300 * time.Millisecond)
	c4, r4 := tlsClient(t, tlsBind, 2*time.Second)
	defer c4.Close()
	out = append(out, "tls 4 after tls 1 closed: "+r4)
	c3.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	_, err = c3.Read(make([]byte, 1))
	out = append(out, "tls 3 then: "+map[bool]string{true: "no answer", false: fmt.Sprint(err)}[isTimeout(err)])
	info()
	c3.Close()
	return out
}

// sslRateScenario runs maxsslrate 2: three TLS clients one after the
// other, the third waiting for the rate to allow it, and a plain client
// unaffected meanwhile.
func sslRateScenario(t *testing.T, bin, crt string) []string {
	dir := t.TempDir()
	tlsBind, plain := loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := strings.Replace(fmt.Sprintf(adminHead, dir), "defaults\n", "    maxsslrate 2\ndefaults\n", 1) +
		fmt.Sprintf("frontend fe\n    bind %s ssl crt %s\n    bind %s\n    http-request return status 200\n", tlsBind, crt, plain)
	startWithConfig(t, bin, cfg, plain)
	// (no probe of the TLS bind: it would count against the rate)
	time.Sleep(1100 * time.Millisecond) // the rate counter's previous second empty
	var out []string
	took := func(start time.Time) string {
		d := time.Since(start)
		switch {
		// Under 2 per second the third waits 0.5 to 1.5 s, as the
		// counter's second turns (margins for a loaded machine).
		case d < 400*time.Millisecond:
			return "at once"
		case d > 450*time.Millisecond && d < 2500*time.Millisecond:
			return "delayed"
		}
		return d.String()
	}
	var plainAt string
	for i := 1; i <= 3; i++ {
		start := time.Now()
		if i == 3 {
			go func() {
				time.Sleep(50 * time.Millisecond)
				p := time.Now()
				httpStatus(t, plain)
				plainAt = took(p)
			}()
		}
		c, r := tlsClient(t, tlsBind, 3*time.Second)
		defer c.Close()
		if r != "handshake" {
			out = append(out, fmt.Sprintf("tls %d: %s", i, r))
			continue
		}
		out = append(out, fmt.Sprintf("tls %d: %s", i, took(start)))
	}
	out = append(out, "plain: "+plainAt, "info: SslRateLimit "+haproxytest.ShowInfoField(t, filepath.Join(dir, "s.sock"), "SslRateLimit"))
	return out
}

// tlsClient connects to addr and runs a TLS handshake within d: the
// result says "handshake", "no answer" (nothing came back before d) or
// what ended it.
func tlsClient(t *testing.T, addr string, d time.Duration) (net.Conn, string) {
	t.Helper()
	raw := dialT(t, addr)
	raw.SetDeadline(time.Now().Add(d))
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true})
	err := c.Handshake()
	raw.SetDeadline(time.Time{})
	switch {
	case err == nil:
		return c, "handshake"
	case isTimeout(err):
		return raw, "no answer"
	}
	return raw, err.Error()
}

// httpStatus sends one GET to addr and returns the status code it gets.
func httpStatus(t *testing.T, addr string) string {
	t.Helper()
	c := dialT(t, addr)
	defer c.Close()
	c.SetDeadline(time.Now().Add(3 * time.Second))
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n")
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return err.Error()
	}
	if f := strings.Fields(line); len(f) > 1 {
		return f[1]
	}
	return line
}

// dialT connects to addr, the connection closed when the test ends.
func dialT(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// tlsEchoServer serves TLS with crt on 127.0.0.1, echoing what it reads.
func tlsEchoServer(t *testing.T, crt string) string {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(crt, crt)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return loopback.ServeEach(t, tls.NewListener(ln, &tls.Config{Certificates: []tls.Certificate{cert}}), func(c net.Conn) {
		buf := make([]byte, 4096)
		for {
			n, err := c.Read(buf)
			if err != nil {
				return
			}
			if bytes.HasPrefix(buf[:n], []byte("GET ")) {
				c.Write([]byte("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"))
				continue
			}
			c.Write(buf[:n])
		}
	})
}
