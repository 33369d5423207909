package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// TestTLSReported: what Go's TLS cannot do as HAProxy's OpenSSL does is
// reported with its line, and such a bind is not served (never in clear).
func TestTLSReported(t *testing.T) {
	pki := newTestPKI(t)
	cases := []struct {
		line string // the bind line (line 6 of the file) or a global line (line 2)
		want string // in the notice; "" = none
	}{
		{"bind 127.0.0.1:1 ssl crt a.pem", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem crt b.pem crt dir alpn http/1.1 ssl-min-ver TLSv1.2 no-tls-tickets", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem alpn h2,http/1.1", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem alpn h3,http/1.1", "[test.cfg:6] : 'bind option ssl: alpn h3,http/1.1: goha does not serve h3'"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphers HIGH:!aNULL", "[test.cfg:6] : 'bind option ssl: ciphers HIGH:!aNULL: not a cipher"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphers ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256", "ciphers DHE-RSA-AES128-GCM-SHA256: not a cipher"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphersuites TLS_AES_128_GCM_SHA256", "ciphersuites TLS_AES_128_GCM_SHA256: Go's TLS 1.3 always offers"},
		{"bind 127.0.0.1:1 ssl crt a.pem verify required ca-file ca.pem", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem verify required", "verify is enabled but no CA file specified"},
		{"bind 127.0.0.1:1 ssl crt a.pem verify optional ca-file ca.pem crl-file ca.pem", "ca.pem: no certificate revocation list"},
		{"bind 127.0.0.1:1 ssl crt a.pem strict-sni", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem crt-list list.txt", "'bind option crt-list: crt-list list.txt: open list.txt"},
		{"bind 127.0.0.1:1 ssl crt a.pem ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2", "no usable TLS version"},
		{"bind 127.0.0.1:1 ssl crt a.pem force-sslv3", "'bind option force-sslv3'"},
		{"bind 127.0.0.1:1 ssl crt a.pem curves X25519:P-256", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem curves X25519:brainpoolP256r1", "curves brainpoolP256r1: not a group Go's TLS implements"},
		{"bind 127.0.0.1:1 ssl crt a.pem ecdhe secp384r1", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem\n#global ssl-default-bind-options prefer-client-ciphers", "[test.cfg:6] : 'ssl-default-bind-options prefer-client-ciphers on a bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2)"},
		{"bind 127.0.0.1:1 ssl crt a.pem prefer-client-ciphers", "'bind option prefer-client-ciphers on a bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2)"},
		{"bind 127.0.0.1:1 ssl crt a.pem\n#global ssl-default-bind-ciphers DHE-RSA-AES128-GCM-SHA256", "[test.cfg:6] : 'bind option ssl: ciphers DHE-RSA-AES128-GCM-SHA256"},
	}
	for _, c := range cases {
		bind, global, _ := strings.Cut(c.line, "\n#global ")
		cfg := "global\n    " + global + "\n    crt-base " + pki.Dir + "\n    ca-base " + pki.Dir +
			"\nfrontend fe\n    " + bind + "\n    mode http\n    timeout client 1s\n    default_backend be\nbackend be\n    mode http\n    timeout connect 1s\n    timeout server 1s\n    server s1 127.0.0.1:9\n"
		if global == "" {
			cfg = strings.Replace(cfg, "global\n    \n", "global\n    maxconn 10\n", 1)
		}
		p := buildText(t, cfg)
		got := strings.Join(notices(p), "\n")
		fe := p.Proxy.Frontends[0]
		switch {
		case c.want == "" && (got != "" || len(fe.TLS) != 1):
			t.Errorf("%s: notices %q, %d TLS binds", c.line, got, len(fe.TLS))
		case c.want != "" && !strings.Contains(got, c.want):
			t.Errorf("%s: notices %q, want %q", c.line, got, c.want)
		}
		if len(fe.Binds) != len(fe.TLS) {
			t.Errorf("%s: a bind served in clear: %v", c.line, fe.Binds)
		}
	}
}

// TestTLSHandshakeLogs: a failed handshake is logged with HAProxy 2.6.12's
// words (as it logged the same three inputs: a connection closed at once,
// plain HTTP, a ClientHello cut short until `timeout client`), and
// `option dontlognull` leaves out only the first.
func TestTLSHandshakeLogs(t *testing.T) {
	pki := newTestPKI(t)
	addr := loopback.FreeAddr(t)
	cfg := "global\n    crt-base " + pki.Dir + "\ndefaults\n    mode http\n    timeout client 300ms\n    timeout connect 1s\n    timeout server 1s\n" +
		"frontend fe\n    bind " + addr + " ssl crt a.pem\n    default_backend be\nbackend be\n    server s1 127.0.0.1:9\n"
	res := haproxy.CheckBytes("tls.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		t.Fatalf("config exit %d: %+v", res.Exit, res.Diags.List)
	}
	type line struct {
		msg  string
		null bool
	}
	got := make(chan line, 8)
	px, err := proxy.New(Build(res.Config).Proxy, proxy.Options{ConnError: func(e *proxy.ConnError) { got <- line{e.Msg, e.Null} }})
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Shutdown(t.Context()) })
	for _, c := range []struct {
		send []byte
		want line
	}{
		{nil, line{"Connection closed during SSL handshake", true}},
		{[]byte("GET / HTTP/1.0\r\n\r\n"), line{"SSL handshake failure", false}},
		{[]byte{0x16, 0x03, 0x01, 0x02, 0x00, 0x01}, line{"Timeout during SSL handshake", false}},
	} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		if c.send == nil {
			conn.Close()
		} else {
			conn.Write(c.send)
			defer conn.Close()
		}
		select {
		case l := <-got:
			if l != c.want {
				t.Errorf("%q: logged %+v, want %+v", c.send, l, c.want)
			}
		case <-time.After(3 * time.Second):
			t.Errorf("%q: nothing logged", c.send)
		}
	}
}
