package haproxycfg

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// openSSLCipher is the suite openssl s_client negotiates with addr,
// with args (its version and suite options).
func openSSLCipher(addr string, args ...string) string {
	out, _ := sClientOut(addr, "", args...)
	for _, l := range strings.Split(out, "\n") {
		if _, c, ok := strings.Cut(l, "Cipher is "); ok {
			return strings.TrimSpace(c)
		}
	}
	return "no cipher"
}

// TestPreferClientCiphersRefusalHolds: what keeps prefer-client-ciphers
// refused on a bind allowing TLS 1.3 and on one without a ciphers list,
// measured beside HAProxy 2.6.12. In TLS 1.3 HAProxy takes the client's
// first suite (TLS_AES_256_GCM_SHA384 for openssl's own order), which a
// crypto/tls server, whatever its configuration, does not (it takes
// TLS_AES_128_GCM_SHA256 whenever the client offers it and prefers an
// AES-GCM suite). On a TLS 1.2 bind without a ciphers list HAProxy takes
// a client's first suite from OpenSSL's default list,
// ECDHE-ECDSA-AES256-SHA384 here, which crypto/tls does not implement.
// When either changes, the refusal (haproxycfg prefer_client.go) is to
// be revisited.
func TestPreferClientCiphersRefusalHolds(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	h13, h12 := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, tlsTCPConfig("", "    bind "+h13+" ssl crt "+pki.Dir+"/a.pem prefer-client-ciphers\n"+
		"    bind "+h12+" ssl crt "+pki.Dir+"/a.pem prefer-client-ciphers ssl-max-ver TLSv1.2\n"), h13)
	const order = "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"
	if got := openSSLCipher(h13, "-ciphersuites", order); got != "TLS_AES_256_GCM_SHA384" {
		t.Errorf("haproxy, TLS 1.3, client order %s: %s, the test expects the client's first", order, got)
	}
	cert, err := tls.LoadX509KeyPair(pki.Dir+"/a.pem", pki.Dir+"/a.pem")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := tls.Listen("tcp", loopback.FreeAddr(t), &tls.Config{Certificates: []tls.Certificate{cert},
		CipherSuites: []uint16{tls.TLS_AES_256_GCM_SHA384}})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.(*tls.Conn).Handshake()
			c.Close()
		}
	}()
	if got := openSSLCipher(ln.Addr().String(), "-ciphersuites", order); got != "TLS_AES_128_GCM_SHA256" {
		t.Errorf("crypto/tls, TLS 1.3, client order %s: %s; if it takes the client's first now, prefer-client-ciphers may be allowed with TLS 1.3", order, got)
	}
	const cbc = "ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-GCM-SHA256"
	if got := openSSLCipher(h12, "-tls1_2", "-cipher", cbc); got != "ECDHE-ECDSA-AES256-SHA384" {
		t.Errorf("haproxy, TLS 1.2 without a ciphers list, client order %s: %s, the test expects the client's first", cbc, got)
	}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		if s.Name == "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384" {
			t.Errorf("crypto/tls now has %s: prefer-client-ciphers without a ciphers list may be allowed", s.Name)
		}
	}
}
