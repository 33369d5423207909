package haproxycfg

import (
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// negotiatedCipher is the suite openssl s_client (TLS 1.2, offering
// ciphers in that order) negotiates with addr.
func negotiatedCipher(addr, ciphers string) string {
	return openSSLCipher(addr, "-tls1_2", "-cipher", ciphers)
}

// TestPreferClientCiphersDifferential: prefer-client-ciphers on a TLS 1.2
// bind (the line's option, and ssl-default-bind-options), beside HAProxy
// 2.6.12: the suite negotiated is the client's first the bind allows and
// the certificate (ECDSA here) can use, not the server's order nor Go's
// (a CBC suite before a GCM one, AES-256 before AES-128, ChaCha20 before
// AES, an RSA suite and one the bind does not list skipped).
func TestPreferClientCiphersDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	const list = "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256"
	for _, where := range []string{"line", "defaults"} {
		global, opt := "", " prefer-client-ciphers"
		if where == "defaults" {
			global, opt = "global\n    ssl-default-bind-options prefer-client-ciphers\n", ""
		}
		cfg := tlsTCPConfig(global, "    bind BIND ssl crt "+pki.Dir+"/a.pem ssl-max-ver TLSv1.2 ciphers "+list+opt+"\n")
		ha, goha := loopback.FreeAddr(t), loopback.FreeAddr(t)
		difftest.StartHAProxy(t, strings.ReplaceAll(cfg, "BIND", ha), ha)
		runPlan(t, strings.ReplaceAll(cfg, "BIND", goha))
		loopback.WaitListen(t, goha)
		for _, c := range []struct{ client, want string }{
			{"ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-SHA"},
			{"ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305"},
			{"ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-GCM-SHA256"},
			{"AES128-SHA:ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES256-GCM-SHA384"},
			{"ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-ECDSA-AES128-GCM-SHA256"},
			{"ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384"},
		} {
			w, g := negotiatedCipher(ha, c.client), negotiatedCipher(goha, c.client)
			t.Logf("%s, client %s: haproxy %s", where, c.client, w)
			if w != g {
				t.Errorf("%s, client %s: haproxy %s, goha %s", where, c.client, w, g)
			}
			if w != c.want {
				t.Errorf("%s, client %s: haproxy took %s, the case says %s", where, c.client, w, c.want)
			}
		}
	}
}

// TestPreferClientCiphersRefused: where goha cannot choose as OpenSSL,
// prefer-client-ciphers is refused saying why.
func TestPreferClientCiphersRefused(t *testing.T) {
	pki := newTestPKI(t)
	for line, want := range map[string]string{
		"ssl crt a.pem prefer-client-ciphers":                                                    "on a bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2)",
		"ssl crt a.pem prefer-client-ciphers ssl-max-ver TLSv1.2":                                "without a ciphers list",
		"ssl crt a.pem prefer-client-ciphers ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-SHA": "",
	} {
		cfg := "global\n    crt-base " + pki.Dir + "\ndefaults\n    mode tcp\n    timeout connect 1s\n    timeout client 1s\n    timeout server 1s\n" +
			"frontend f\n    bind 127.0.0.1:1 " + line + "\n    default_backend b\nbackend b\n    server s 127.0.0.1:9\n"
		got := strings.Join(notices(buildText(t, cfg)), "\n")
		if want == "" && got != "" || want != "" && !strings.Contains(got, "prefer-client-ciphers "+want) {
			t.Errorf("%s: notices %q, want %q", line, got, want)
		}
	}
}
