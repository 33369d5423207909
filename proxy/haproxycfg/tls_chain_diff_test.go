package haproxycfg

import (
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

const chainConfig = pkiHead + `frontend fe
    bind OPT ssl crt srv.pem verify optional ca-file ca.pem
    bind CLEAR
    http-request return status 200 content-type text/plain lf-string "<%[ssl_c_chain_der,hex]> <%[ssl_c_der,length]> <%[ssl_fc_has_early]> <%[ssl_fc_is_resumed]>"
`

// TestTLSChainEarlyDifferential: ssl_c_chain_der (the certificates a
// client sends after its own) and ssl_fc_has_early through HAProxy 2.6
// and goha alike: no certificate, a certificate alone, one with its
// chain, then the same session resumed (no chain), in TLS 1.3 and 1.2;
// and in clear text.
func TestTLSChainEarlyDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	caPEM, err := os.ReadFile(pki.Dir + "/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	caBlock, _ := pem.Decode(caPEM)
	withChain := pki.Alice
	withChain.Certificate = append(append([][]byte{}, pki.Alice.Certificate...), caBlock.Bytes)
	ha, goha := startTemplatedAddrs(t, chainConfig, []string{"OPT", "CLEAR"}, "PKIDIR", pki.Dir)
	haOpt, haClear, goOpt, goClear := ha[0], ha[1], goha[0], goha[1]
	get := func(url string, tc *tls.Config) string {
		resp, b, err := httpsGetOnce(url, tc, 3*time.Second)
		if err != nil {
			return "refused: " + err.Error()
		}
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	for _, ver := range []uint16{tls.VersionTLS13, tls.VersionTLS12} {
		for _, c := range []struct {
			name string
			cert *tls.Certificate
		}{{"none", nil}, {"alone", &pki.Alice}, {"with chain", &withChain}} {
			// one client per daemon: the second request resumes
			mkTC := func() *tls.Config {
				tc := &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MaxVersion: ver,
					ClientSessionCache: tls.NewLRUClientSessionCache(4)}
				if c.cert != nil {
					tc.Certificates = []tls.Certificate{*c.cert}
				}
				return tc
			}
			haTC, goTC := mkTC(), mkTC()
			for _, round := range []string{"full", "resumed"} {
				hg, gg := get("https://"+haOpt+"/", haTC), get("https://"+goOpt+"/", goTC)
				t.Logf("%x %s %s: haproxy %.120s", ver, c.name, round, hg)
				if hg != gg {
					t.Errorf("%x %s %s:\nhaproxy %s\ngoha    %s", ver, c.name, round, hg, gg)
				}
			}
		}
	}
	hg, gg := get("http://"+haClear+"/", nil), get("http://"+goClear+"/", nil)
	if hg != gg || hg != "200 <> <> <> <0>" {
		t.Errorf("clear text: haproxy %q, goha %q", hg, gg)
	}
}
