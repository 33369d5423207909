package haproxycfg

import (
	"crypto/tls"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// certFetchLines add the client-certificate and cipher fetches of
// fetch_ssl_cert.go to TestTLSFetchesDifferential's configuration.
const certFetchLines = `    http-request set-header X-SSL-C-Der %[ssl_c_der,sha2,hex]
    http-request set-header X-SSL-C-Der-Len %[ssl_c_der,length]
    http-request set-header X-SSL-C-NotAfter %[ssl_c_notafter]
    http-request set-header X-SSL-C-NotBefore %[ssl_c_notbefore]
    http-request set-header X-SSL-C-Version %[ssl_c_version]
    http-request set-header X-SSL-C-Sig-Alg %[ssl_c_sig_alg]
    http-request set-header X-SSL-C-Key-Alg %[ssl_c_key_alg]
    http-request set-header X-SSL-Fc-Use-Keysize %[ssl_fc_use_keysize]
    http-request set-header X-SSL-Fc-Alg-Keysize %[ssl_fc_alg_keysize]
`

// TestTLSCertFetchesDifferential: those fetches on the same client
// certificates through HAProxy 2.6 and goha, the backend's view compared
// byte for byte (TLS 1.2 with a fixed cipher, and TLS 1.3 whose cipher
// both pick for themselves, so its key sizes are left out).
func TestTLSCertFetchesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	web := startHeaderWeb(t)
	tmpl := strings.Replace(fetchConfig, "    default_backend be\n", certFetchLines+"    default_backend be\n", 1)
	ha, goha := startTemplatedAddrs(t, tmpl, []string{"OPT", "REQ"}, "PKIDIR", pki.Dir, "WEB", web)
	haOpt, goOpt := ha[0], goha[0]
	get := func(addr string, cert *tls.Certificate, tls12 bool) string {
		tc := &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test"}
		if cert != nil {
			tc.Certificates = []tls.Certificate{*cert}
		}
		if tls12 {
			tc.MaxVersion = tls.VersionTLS12
			tc.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}
		}
		resp, b, err := httpsGetOnce("https://"+addr+"/", tc, 5*time.Second)
		if err != nil {
			return "refused"
		}
		s := fmt.Sprintf("%d\n%s", resp.StatusCode, b)
		if !tls12 {
			for _, h := range []string{"X-Ssl-Cipher", "X-Ssl-Fc-Use-Keysize", "X-Ssl-Fc-Alg-Keysize"} {
				s = stripHeader(s, h)
			}
		}
		return s
	}
	for _, c := range []struct {
		name  string
		cert  *tls.Certificate
		tls12 bool
	}{{"none", nil, true}, {"alice", &pki.Alice, true}, {"alice, TLS 1.3", &pki.Alice, false}} {
		hg, gg := get(haOpt, c.cert, c.tls12), get(goOpt, c.cert, c.tls12)
		t.Logf("%s: haproxy\n%s", c.name, hg)
		if hg != gg {
			t.Errorf("%s:\nhaproxy %q\ngoha    %q", c.name, hg, gg)
		}
		if c.cert != nil && !strings.Contains(hg, "X-Ssl-C-Sig-Alg: ") {
			t.Errorf("%s: haproxy sent no X-Ssl-C-Sig-Alg: %q", c.name, hg)
		}
	}
}
