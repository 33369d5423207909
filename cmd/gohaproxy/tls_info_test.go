package main

import (
	"crypto/tls"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

const tlsInfoConfig = `global
    stats socket SOCK level admin
defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind ADDR ssl crt CRT
    use_backend tlsbe if { path_beg /tls }
    default_backend local
backend local
    server s1 WEB
backend tlsbe
    option httpclose
    server s1 TLSWEB ssl verify none no-ssl-reuse check check-ssl inter 1m
`

// tlsInfoFields are the `show info` TLS counts compared exactly (the
// rates move with the clock; their maxima are checked apart).
var tlsInfoFields = []string{"MaxSslConns", "CurrSslConns", "CumSslConns", "SslRateLimit", "SslCacheLookups", "SslCacheMisses"}

// TestShowInfoTLSMatchesHAProxy: the same TLS traffic through HAProxy 2.6
// and gohaproxy — full handshakes, resumed ones (TLS 1.3 tickets),
// requests to a server over TLS without session reuse, and a check-ssl
// health check — gives the same `show info` TLS counts (CumSslConns 12:
// 9 client connections, the check, 2 to the server); the per-second
// maxima stay within the counts.
func TestShowInfoTLSMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	bin := gohaproxyBin(t)
	crt := selfSignedPEM(t)
	web := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "tls") }))
	t.Cleanup(web.Close)
	webAddr := strings.TrimPrefix(web.URL, "https://")
	plain := startPMBackend(t)

	drive := func(bin string) string {
		dir := t.TempDir()
		addr, sock := loopback.FreeAddr(t), filepath.Join(dir, "stats")
		cfg := strings.NewReplacer("SOCK", sock, "ADDR", addr, "CRT", crt, "TLSWEB", webAddr, "WEB", plain.addr).Replace(tlsInfoConfig)
		haproxytest.StartQuiet(t, bin, haproxytest.WriteConfig(t, cfg))
		loopback.WaitListen(t, addr) // one TLS connection, no handshake
		// The first check-ssl (one full handshake to the server) is in.
		waitInfoField(t, sock, "CumSslConns", "2", 3*time.Second)
		get := func(cache tls.ClientSessionCache, path string, wantResumed bool) {
			t.Helper()
			c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr,
				&tls.Config{InsecureSkipVerify: true, ClientSessionCache: cache})
			if err != nil {
				t.Fatalf("%s: %v", bin, err)
			}
			defer c.Close()
			c.SetDeadline(time.Now().Add(5 * time.Second))
			io.WriteString(c, "GET "+path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
			resp, _ := io.ReadAll(c)
			if !strings.HasPrefix(string(resp), "HTTP/1.1 200") {
				t.Errorf("%s %s: %q", bin, path, resp)
			}
			if c.ConnectionState().DidResume != wantResumed {
				t.Errorf("%s %s: resumed %v", bin, path, !wantResumed)
			}
		}
		for range 3 {
			get(nil, "/", false)
		}
		cache := tls.NewLRUClientSessionCache(4)
		get(cache, "/", false)
		get(cache, "/", true)
		get(cache, "/", true)
		get(nil, "/tls", false)
		get(nil, "/tls", false)
		waitInfoField(t, sock, "CurrSslConns", "0", 3*time.Second)
		return haproxytest.StatsCmd(t, sock, "show info")
	}
	haInfo := drive("haproxy")
	goInfo := drive(bin)
	field := func(out, name string) string {
		for _, l := range strings.Split(out, "\n") {
			if v, ok := strings.CutPrefix(l, name+": "); ok {
				return v
			}
		}
		return "(missing)"
	}
	for _, f := range tlsInfoFields {
		if h, g := field(haInfo, f), field(goInfo, f); h != g {
			t.Errorf("%s: haproxy %s, goha %s", f, h, g)
		}
	}
	// The per-second maxima depend on where the seconds fall (HAProxy's
	// are not the wall clock's): within the totals, 9 accepted (the probe,
	// 8 clients), 6 full handshakes among them, 3 full handshakes to the
	// server (the check, 2 requests).
	for f, n := range map[string]int{"MaxSslRate": 9, "SslFrontendMaxKeyRate": 6, "SslBackendMaxKeyRate": 3} {
		h, g := field(haInfo, f), field(goInfo, f)
		if v, err := strconv.Atoi(g); err != nil || v < 1 || v > n {
			t.Errorf("%s: goha %s, want 1..%d (haproxy %s)", f, g, n, h)
		}
	}
	for _, f := range []string{"CumSslConns", "MaxSslRate", "SslFrontendMaxKeyRate", "SslBackendMaxKeyRate", "SslRate", "SslFrontendKeyRate"} {
		t.Logf("%s: haproxy %s, goha %s", f, field(haInfo, f), field(goInfo, f))
	}
}
