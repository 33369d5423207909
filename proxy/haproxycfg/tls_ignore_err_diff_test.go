package haproxycfg

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// ignoreErrPKI is a trusted CA (ca.pem, with the server's a.pem) and
// client certificate chains that fail OpenSSL's verification in
// different ways, each a tls.Certificate with the chain the client sends.
type ignoreErrPKI struct {
	dir    string
	chains map[string]tls.Certificate
}

func newIgnoreErrPKI(t *testing.T) ignoreErrPKI {
	t.Helper()
	dir := t.TempDir()
	now := time.Now()
	valid := [2]time.Time{now.Add(-time.Hour), now.Add(24 * time.Hour)}
	expired := [2]time.Time{now.Add(-48 * time.Hour), now.Add(-24 * time.Hour)}
	future := [2]time.Time{now.Add(24 * time.Hour), now.Add(48 * time.Hour)}
	serial := int64(10)
	type ca struct {
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
	}
	mk := func(cn string, span [2]time.Time, isCA bool, parent *ca) (*x509.Certificate, *ecdsa.PrivateKey) {
		key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		serial++
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn},
			NotBefore: span[0], NotAfter: span[1], BasicConstraintsValid: true, IsCA: isCA}
		if isCA {
			tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature
		} else {
			tmpl.KeyUsage = x509.KeyUsageDigitalSignature
			tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth}
			tmpl.DNSNames = []string{cn}
		}
		signer, signKey := tmpl, key
		if parent != nil {
			signer, signKey = parent.cert, parent.key
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return c, key
	}
	pemOf := func(c *x509.Certificate) []byte {
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	keyPEM := func(k *ecdsa.PrivateKey) []byte {
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	root, rootKey := mk("trusted root", valid, true, nil)
	trusted := &ca{root, rootKey}
	stranger, strangerKey := mk("unknown root", valid, true, nil)
	unknown := &ca{stranger, strangerKey}
	inter, interKey := mk("intermediate", valid, true, trusted)
	oldInter, oldInterKey := mk("expired intermediate", expired, true, trusted)
	srv, srvKey := mk("a.example.test", valid, false, trusted)
	os.WriteFile(filepath.Join(dir, "ca.pem"), pemOf(root), 0o600)
	os.WriteFile(filepath.Join(dir, "a.pem"), append(append(pemOf(srv), pemOf(root)...), keyPEM(srvKey)...), 0o600)
	p := ignoreErrPKI{dir: dir, chains: map[string]tls.Certificate{}}
	add := func(name string, leaf *x509.Certificate, key *ecdsa.PrivateKey, chain ...*x509.Certificate) {
		c := tls.Certificate{Certificate: [][]byte{leaf.Raw}, PrivateKey: key}
		for _, x := range chain {
			c.Certificate = append(c.Certificate, x.Raw)
		}
		p.chains[name] = c
	}
	l, k := mk("good", valid, false, trusted)
	add("good", l, k)
	l, k = mk("expired", expired, false, trusted)
	add("expired", l, k)
	l, k = mk("not yet valid", future, false, trusted)
	add("not yet valid", l, k)
	l, k = mk("self-signed", valid, false, nil)
	add("self-signed", l, k)
	l, k = mk("expired self-signed", expired, false, nil)
	add("expired self-signed", l, k)
	l, k = mk("unknown issuer", valid, false, unknown)
	add("unknown issuer", l, k)
	add("unknown issuer, root sent", l, k, stranger)
	l, k = mk("under intermediate", valid, false, &ca{inter, interKey})
	add("under intermediate", l, k, inter)
	add("under intermediate, not sent", l, k)
	l, k = mk("under expired intermediate", valid, false, &ca{oldInter, oldInterKey})
	add("under expired intermediate", l, k, oldInter)
	l, k = mk("expired under expired intermediate", expired, false, &ca{oldInter, oldInterKey})
	add("expired under expired intermediate", l, k, oldInter)
	return p
}

const ignoreErrConfig = pkiHead + `frontend fe
    bind B1 ssl crt a.pem ca-file ca.pem verify optional ca-ignore-err all crt-ignore-err all
    bind B2 ssl crt a.pem ca-file ca.pem verify required crt-ignore-err 10,18
    bind B3 ssl crt a.pem ca-file ca.pem verify optional ca-ignore-err 10
    bind B4 ssl crt a.pem ca-file ca.pem verify required ca-ignore-err 10,19,20 crt-ignore-err 9,20,21
    http-request return status 200 content-type text/plain lf-string "verify=%[ssl_c_verify] err=%[ssl_c_err] ca_err=%[ssl_c_ca_err] depth=%[ssl_c_ca_err_depth] used=%[ssl_c_used] cn=%[ssl_c_s_dn(cn)]"
`

// TestIgnoreErrDifferential: ca-ignore-err and crt-ignore-err let a client
// certificate that fails verification through when its error is listed
// (an error at depth 0 is the certificate's, deeper ones the chain's), and
// ssl_c_verify, ssl_c_err, ssl_c_ca_err and ssl_c_ca_err_depth report the
// OpenSSL error codes HAProxy 2.6 reports, for the same chains.
func TestIgnoreErrDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newIgnoreErrPKI(t)
	mk := func() ([]string, string) {
		cfg := strings.ReplaceAll(ignoreErrConfig, "PKIDIR", pki.dir)
		addrs := []string{""}
		for i := 1; i <= 4; i++ {
			a := loopback.FreeAddr(t)
			addrs = append(addrs, a)
			cfg = strings.Replace(cfg, fmt.Sprintf("B%d ", i), a+" ", 1)
		}
		return addrs, cfg
	}
	ha, cfg := mk()
	difftest.StartHAProxy(t, cfg, ha[1])
	goha, cfg := mk()
	runPlan(t, cfg)
	get := func(addr string, cert *tls.Certificate, tls12 bool) string {
		tc := &tls.Config{InsecureSkipVerify: true, ServerName: "a.example.test"}
		if cert != nil {
			// Sent whatever CAs the server names (a Go client sends only
			// a chain leading to one of them otherwise).
			tc.GetClientCertificate = func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return cert, nil }
		}
		if tls12 {
			tc.MaxVersion = tls.VersionTLS12
		}
		resp, b, err := httpsGetOnce("https://"+addr+"/", tc, 5*time.Second)
		if err != nil {
			return "refused"
		}
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	names := []string{"none"}
	for n := range pki.chains {
		names = append(names, n)
	}
	for b := 1; b <= 4; b++ {
		for _, n := range names {
			for _, tls12 := range []bool{true, false} {
				var cert *tls.Certificate
				if c, ok := pki.chains[n]; ok {
					cert = &c
				}
				h, g := get(ha[b], cert, tls12), get(goha[b], cert, tls12)
				t.Logf("B%d %s tls12=%v: haproxy %s", b, n, tls12, h)
				if h != g {
					t.Errorf("B%d %s tls12=%v:\nhaproxy %s\ngoha    %s", b, n, tls12, h, g)
				}
			}
		}
	}
}
