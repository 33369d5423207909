package haproxycfg

import (
	"crypto/tls"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

const sniACLConfig = crtBaseHead + `frontend fe
    bind ADDR ssl crt srv.pem
    acl e ssl_fc_sni_end .example.test
    acl ei ssl_fc_sni_end -i .EXAMPLE.test
    acl r ssl_fc_sni_reg ^a\.[a-z]+\.
    acl rf ssl_fc_sni_reg -m found
    http-request set-var(txn.e) str(e) if e
    http-request set-var(txn.ei) str(ei) if ei
    http-request set-var(txn.r) str(r) if r
    http-request set-var(txn.rf) str(rf) if rf
    http-request return status 200 content-type text/plain lf-string "%[var(txn.e)] %[var(txn.ei)] %[var(txn.r)] %[var(txn.rf)]"
`

// TestTLSSNIACLDifferential: the ACL keywords ssl_fc_sni_end and
// ssl_fc_sni_reg (ssl_fc_sni -m end, -m reg) match as in HAProxy 2.6,
// with -i and -m found, for names in several cases and no SNI.
func TestTLSSNIACLDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	ha, gh := startTemplated(t, sniACLConfig, "ADDR", "PKIDIR", pki.Dir)
	ask := func(addr, sni string) string {
		c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
			TLSClientConfig: &tls.Config{ServerName: sni, InsecureSkipVerify: true}}}
		defer c.CloseIdleConnections()
		host := addr
		if sni == "" {
			host = "127.0.0.1" + addr[strings.LastIndex(addr, ":"):] // an IP: no SNI
		}
		resp, err := c.Get("https://" + host + "/")
		if err != nil {
			return err.Error()
		}
		defer resp.Body.Close()
		var b strings.Builder
		buf := make([]byte, 512)
		n, _ := resp.Body.Read(buf)
		b.Write(buf[:n])
		return b.String()
	}
	for _, sni := range []string{"a.example.test", "b.example.test", "A.Example.TEST", "a.other.net", "example.test", ""} {
		h, g := ask(ha, sni), ask(gh, sni)
		t.Logf("%q: haproxy %q", sni, h)
		if h != g {
			t.Errorf("%q: haproxy %q, goha %q", sni, h, g)
		}
	}
}
