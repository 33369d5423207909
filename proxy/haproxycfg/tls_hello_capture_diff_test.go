package haproxycfg

import (
	"crypto/tls"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

const helloCaptureConfig = `global
    crt-base PKIDIR
CAPTURE
` + httpDefaults2s + `frontend fe
    bind ADDR ssl crt srv.pem
    http-request return status 200 content-type text/plain lf-string "<%[ssl_fc_cipherlist_bin,hex]> <%[ssl_fc_cipherlist_bin(1),hex]> <%[ssl_fc_cipherlist_hex]> <%[ssl_fc_cipherlist_str]> <%[ssl_fc_cipherlist_xxh]> <%[ssl_fc_protocol_hello_id]> <%[ssl_fc_extlist_bin,hex]> <%[ssl_fc_extlist_bin(1),be2dec(-,2)]> <%[ssl_fc_eclist_bin,hex]> <%[ssl_fc_eclist_bin(1),hex]> <%[ssl_fc_ecformats_bin,hex]>"
`

// TestTLSHelloCaptureDifferential: the ClientHello fetches
// (ssl_fc_cipherlist_*, ssl_fc_extlist_bin, ssl_fc_eclist_bin,
// ssl_fc_ecformats_bin, ssl_fc_protocol_hello_id) on the same Go TLS
// clients through HAProxy 2.6 and goha: without
// tune.ssl.capture-buffer-size (no values), with a buffer large enough,
// and with one that cuts the lists; TLS 1.3 and TLS 1.2 hellos, one with
// a suite OpenSSL names differently from Go and one OpenSSL lacks.
func TestTLSHelloCaptureDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	ask := func(addr string, tc *tls.Config) string {
		b, _, _, err := tlsGet(t, addr, tc)
		if err != nil {
			return "handshake: " + err.Error()
		}
		return b
	}
	clients := []struct {
		name string
		tc   *tls.Config
	}{
		{"TLS 1.3", &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MinVersion: tls.VersionTLS13}},
		{"TLS 1.2", &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MaxVersion: tls.VersionTLS12,
			CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
				tls.TLS_ECDHE_RSA_WITH_RC4_128_SHA, tls.TLS_RSA_WITH_AES_128_CBC_SHA}}},
	}
	for _, capture := range []string{"", "    tune.ssl.capture-buffer-size 512", "    tune.ssl.capture-cipherlist-size 40"} {
		ha, gh := startTemplated(t, helloCaptureConfig, "ADDR", "PKIDIR", pki.Dir, "CAPTURE\n", capture+"\n")
		for _, c := range clients {
			hg, gg := ask(ha, c.tc), ask(gh, c.tc)
			t.Logf("%q %s: haproxy %s", capture, c.name, hg)
			if hg != gg {
				t.Errorf("%q %s:\nhaproxy %s\ngoha    %s", capture, c.name, hg, gg)
			}
			if empty := strings.HasPrefix(hg, "<>"); empty != (capture == "") {
				t.Errorf("%q %s: haproxy's cipher list %q", capture, c.name, hg)
			}
		}
	}
}
