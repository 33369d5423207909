package haproxycfg

import (
	"strings"
	"testing"
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
		{"bind 127.0.0.1:1 ssl crt a.pem alpn h2,http/1.1", "[test.cfg:6] : 'bind option ssl: alpn h2,http/1.1: goha does not serve h2'"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphers HIGH:!aNULL", "[test.cfg:6] : 'bind option ssl: ciphers HIGH:!aNULL: not a cipher"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphers ECDHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-GCM-SHA256", "ciphers DHE-RSA-AES128-GCM-SHA256: not a cipher"},
		{"bind 127.0.0.1:1 ssl crt a.pem ciphersuites TLS_AES_128_GCM_SHA256", "ciphersuites TLS_AES_128_GCM_SHA256: Go's TLS 1.3 always offers"},
		{"bind 127.0.0.1:1 ssl crt a.pem verify required ca-file ca.pem", ""},
		{"bind 127.0.0.1:1 ssl crt a.pem verify required", "verify is enabled but no CA file specified"},
		{"bind 127.0.0.1:1 ssl crt a.pem verify optional ca-file ca.pem crl-file ca.pem", "'bind option crl-file'"},
		{"bind 127.0.0.1:1 ssl crt a.pem strict-sni", "[test.cfg:6] : 'bind option strict-sni'"},
		{"bind 127.0.0.1:1 ssl crt a.pem ssl-min-ver TLSv1.3 ssl-max-ver TLSv1.2", "no usable TLS version"},
		{"bind 127.0.0.1:1 ssl crt a.pem force-sslv3", "'bind option force-sslv3'"},
		{"bind 127.0.0.1:1 ssl crt a.pem curves X25519", "'bind option curves'"},
		{"bind 127.0.0.1:1 ssl crt a.pem\n#global ssl-default-bind-options prefer-client-ciphers", "[test.cfg:2] : 'ssl-default-bind-options prefer-client-ciphers'"},
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
