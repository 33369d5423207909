package haproxycfg

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// tlsRSAConfig serves the RSA 2048 certificate b.pem: B1 with the
// defaults (TLS 1.2 and 1.3), B2 TLS 1.2 with the static RSA key exchange
// only (the key decrypts instead of signing).
const tlsRSAConfig = `global
    crt-base PKIDIR
defaults
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend fe
    mode http
    bind B1 ssl crt b.pem
    bind B2 ssl crt b.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers AES128-GCM-SHA256
    default_backend be
backend be
    mode http
    server s1 WEB
`

// sClientRSA runs openssl s_client against addr with args, sends one
// request (the server answers and closes) and sums up what it saw: the protocol and cipher, the server's
// signature (type and digest), the chain's verification and the response
// (status line and body); "refused" when no handshake was made.
func sClientRSA(t *testing.T, addr, caFile string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "openssl", append([]string{"s_client", "-connect", addr, "-servername", "b.example.test",
		"-CAfile", caFile, "-ign_eof"}, args...)...)
	cmd.Stdin = strings.NewReader("GET /p HTTP/1.1\r\nHost: b.example.test\r\nConnection: close\r\n\r\n")
	// stdout only: stderr has the "unexpected eof" goha's close without
	// close_notify gives (HAProxy sends one), not compared here.
	out, _ := cmd.Output()
	var proto, sig, digest, verify, status string
	for _, l := range strings.Split(string(out), "\n") {
		l = strings.TrimRight(l, "\r")
		if v, ok := strings.CutPrefix(l, "New, "); ok && proto == "" {
			proto = v
		}
		if v, ok := strings.CutPrefix(l, "Peer signature type: "); ok {
			sig = v
		}
		if v, ok := strings.CutPrefix(l, "Peer signing digest: "); ok {
			digest = v
		}
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "Verify return code: "); ok && verify == "" {
			verify = v
		}
		if strings.HasPrefix(l, "HTTP/1.1 ") && status == "" {
			status = l
		}
	}
	if proto == "" || strings.HasPrefix(proto, "(NONE)") {
		return "refused"
	}
	// The body is one line ("web"); after it s_client prints the TLS 1.3
	// tickets and "closed".
	body := ""
	if _, b, ok := strings.Cut(string(out), "\r\n\r\n"); ok {
		body, _, _ = strings.Cut(b, "\n")
	}
	return fmt.Sprintf("%s | sig %s %s | verify %s | %s | body %q", proto, sig, digest, verify, status, body)
}

// TestTLSRSASigalgsMatchesHAProxy: openssl s_client restricted to one
// RSA signature scheme (PSS or PKCS#1 v1.5, SHA-256/384/512) in TLS 1.2
// and 1.3 against HAProxy and goha serving the same RSA 2048 certificate:
// the same handshake (protocol, cipher, signature type and digest, chain
// verified), the same response, the same refusal where TLS 1.3 forbids
// PKCS#1 v1.5; and TLS 1.2's static RSA key exchange. goha's RSA
// signatures are OpenSSL's when libcrypto loads (tlsconf.Providers).
func TestTLSRSASigalgsMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	t.Logf("goha providers: %q", tlsconf.Providers())
	pki := newTestPKI(t)
	web := loopback.StartWeb(t, "web").Addr
	mk := func() (b [3]string, cfg string) {
		cfg = strings.NewReplacer("PKIDIR", pki.Dir, "WEB", web).Replace(tlsRSAConfig)
		for i := 1; i <= 2; i++ {
			b[i] = loopback.FreeAddr(t)
			cfg = strings.Replace(cfg, fmt.Sprintf("B%d ", i), b[i]+" ", 1)
		}
		return b, cfg
	}
	ha, cfg := mk()
	difftest.StartHAProxy(t, cfg, ha[1])
	goha, cfg := mk()
	runPlan(t, cfg)
	ca := filepath.Join(pki.Dir, "ca.pem")
	tls12 := []string{"-tls1_2", "-cipher", "ECDHE-RSA-AES128-GCM-SHA256"}
	tls13 := []string{"-tls1_3", "-ciphersuites", "TLS_AES_128_GCM_SHA256"}
	cases := []struct {
		bind    int
		args    []string
		refused bool
	}{
		{1, append(tls12, "-sigalgs", "RSA-PSS+SHA256"), false},
		{1, append(tls12, "-sigalgs", "rsa_pkcs1_sha256"), false},
		{1, append(tls12, "-sigalgs", "RSA-PSS+SHA384"), false},
		{1, append(tls12, "-sigalgs", "rsa_pkcs1_sha384"), false},
		{1, append(tls12, "-sigalgs", "RSA-PSS+SHA512"), false},
		{1, append(tls12, "-sigalgs", "rsa_pkcs1_sha512"), false},
		{1, append(tls13, "-sigalgs", "RSA-PSS+SHA256"), false},
		{1, append(tls13, "-sigalgs", "RSA-PSS+SHA384"), false},
		{1, append(tls13, "-sigalgs", "RSA-PSS+SHA512"), false},
		{1, append(tls13, "-sigalgs", "rsa_pkcs1_sha256"), true},
		{2, []string{"-tls1_2", "-cipher", "AES128-GCM-SHA256"}, false},
	}
	for _, c := range cases {
		want, got := sClientRSA(t, ha[c.bind], ca, c.args...), sClientRSA(t, goha[c.bind], ca, c.args...)
		t.Logf("bind %d %v: haproxy %s", c.bind, c.args, want)
		if (want == "refused") != c.refused {
			t.Errorf("bind %d %v: haproxy %s", c.bind, c.args, want)
		}
		if !c.refused && !strings.Contains(want, `body "web"`) {
			t.Errorf("bind %d %v: haproxy served %s", c.bind, c.args, want)
		}
		if got != want {
			t.Errorf("bind %d %v:\n goha    %s\n haproxy %s", c.bind, c.args, got, want)
		}
	}
}
