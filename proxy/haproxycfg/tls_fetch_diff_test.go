package haproxycfg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// fetchPKI is a CA with a CRL, a server certificate (srv.pem,
// a.example.test), a client certificate with a many-attribute subject
// (alice.pem: two OUs, an e-mail address, serial 0x8a01 whose high bit
// OpenSSL stores without a sign byte), and a revoked one (mallory.pem).
type fetchPKI struct {
	Dir              string
	Alice, Mallory   tls.Certificate
	CA               *x509.CertPool
	AliceSerialBytes string
}

func newFetchPKI(t *testing.T) fetchPKI {
	t.Helper()
	dir := t.TempDir()
	write := func(name string, blocks ...*pem.Block) {
		var b []byte
		for _, bl := range blocks {
			b = append(b, pem.EncodeToMemory(bl)...)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	key := func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }
	keyBlock := func(k crypto.Signer) *pem.Block {
		der, _ := x509.MarshalPKCS8PrivateKey(k)
		return &pem.Block{Type: "PRIVATE KEY", Bytes: der}
	}
	caKey := key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1),
		Subject:   pkix.Name{Country: []string{"FR"}, Organization: []string{"Goha Test"}, CommonName: "Goha Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	write("ca.pem", &pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	issue := func(serial *big.Int, subj pkix.Name, dns []string, eku x509.ExtKeyUsage) ([]byte, *ecdsa.PrivateKey) {
		k := key()
		tmpl := &x509.Certificate{SerialNumber: serial, Subject: subj, DNSNames: dns,
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{eku}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return der, k
	}
	sder, sk := issue(big.NewInt(2), pkix.Name{CommonName: "a.example.test"}, []string{"a.example.test"}, x509.ExtKeyUsageServerAuth)
	write("srv.pem", &pem.Block{Type: "CERTIFICATE", Bytes: sder}, keyBlock(sk))
	email := asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 1}
	aliceSerial := big.NewInt(0x8a01)
	ader, ak := issue(aliceSerial, pkix.Name{
		Country: []string{"FR"}, Province: []string{"Ile-de-France"}, Locality: []string{"Paris"},
		Organization: []string{"Goha, Inc"}, OrganizationalUnit: []string{"Ops", "Edge"}, CommonName: "alice",
		ExtraNames: []pkix.AttributeTypeAndValue{{Type: email, Value: "alice@example.test"}},
	}, nil, x509.ExtKeyUsageClientAuth)
	mder, mk := issue(big.NewInt(66), pkix.Name{CommonName: "mallory"}, nil, x509.ExtKeyUsageClientAuth)
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(66), RevocationTime: time.Now().Add(-time.Minute)}},
	}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write("crl.pem", &pem.Block{Type: "X509 CRL", Bytes: crl})
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	return fetchPKI{Dir: dir, CA: pool,
		Alice:            tls.Certificate{Certificate: [][]byte{ader}, PrivateKey: ak},
		Mallory:          tls.Certificate{Certificate: [][]byte{mder}, PrivateKey: mk},
		AliceSerialBytes: fmt.Sprintf("%X", aliceSerial.Bytes())}
}

// startHeaderWeb answers each request with its X-Ssl-* headers, sorted.
func startHeaderWeb(t *testing.T) string {
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var l []string
		for k, v := range r.Header {
			if strings.HasPrefix(k, "X-Ssl") {
				l = append(l, k+": "+strings.Join(v, "|"))
			}
		}
		sort.Strings(l)
		io.WriteString(w, strings.Join(l, "\n"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

const fetchConfig = pkiHead + `frontend fe
    bind OPT ssl crt srv.pem verify optional ca-file ca.pem crl-file crl.pem alpn http/1.1
    bind REQ ssl crt srv.pem verify required ca-file ca.pem crl-file crl.pem
    http-request set-header X-SSL-Used %[ssl_c_used]
    http-request set-header X-SSL-Has-Crt %[ssl_fc_has_crt]
    http-request set-header X-SSL-Verify %[ssl_c_verify]
    http-request set-header X-SSL-Err %[ssl_c_err]
    http-request set-header X-SSL-S-DN %[ssl_c_s_dn]
    http-request set-header X-SSL-I-DN %[ssl_c_i_dn]
    http-request set-header X-SSL-CN %[ssl_c_s_dn(CN)]
    http-request set-header X-SSL-OU1 %[ssl_c_s_dn(OU)]
    http-request set-header X-SSL-OU2 %[ssl_c_s_dn(OU,2)]
    http-request set-header X-SSL-OU-Last %[ssl_c_s_dn(OU,-1)]
    http-request set-header X-SSL-Issuer-O %[ssl_c_i_dn(O)]
    http-request set-header X-SSL-RFC2253 %[ssl_c_s_dn(,0,rfc2253)]
    http-request set-header X-SSL-SHA1 %[ssl_c_sha1,hex]
    http-request set-header X-SSL-Serial %[ssl_c_serial,hex]
    http-request set-header X-SSL-Cipher %[ssl_fc_cipher]
    http-request set-header X-SSL-Proto %[ssl_fc_protocol]
    http-request set-header X-SSL-ALPN %[ssl_fc_alpn]
    http-request set-header X-SSL-Has-SNI %[ssl_fc_has_sni]
    http-request set-header X-SSL-Resumed %[ssl_fc_is_resumed]
    http-request set-header X-SSL-Fc-Err %[ssl_fc_err]
    http-request set-header X-SSL-Fc-Err-Str %[ssl_fc_err_str]
    default_backend be
backend be
    server s1 WEB
`

// TestTLSFetchesDifferential: the ssl_c_* and ssl_fc_* fetches of the
// same client certificates, put in headers by HAProxy 2.6 and by goha,
// reach the backend byte for byte the same; a certificate the crl-file
// revokes is refused by both, with verify optional and required.
func TestTLSFetchesDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	web := startHeaderWeb(t)
	ha, goha := startTemplatedAddrs(t, fetchConfig, []string{"OPT", "REQ"}, "PKIDIR", pki.Dir, "WEB", web)
	haOpt, haReq, goOpt, goReq := ha[0], ha[1], goha[0], goha[1]

	get := func(addr string, cert *tls.Certificate, tls12 bool) string {
		tc := &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", NextProtos: []string{"http/1.1"}}
		if cert != nil {
			tc.Certificates = []tls.Certificate{*cert}
		}
		if tls12 {
			tc.MaxVersion = tls.VersionTLS12
			tc.CipherSuites = []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256}
		}
		resp, b, err := httpsGetOnce("https://"+addr+"/", tc, 5*time.Second)
		if err != nil {
			return "refused"
		}
		return fmt.Sprintf("%d\n%s", resp.StatusCode, b)
	}
	cases := []struct {
		name  string
		req   bool
		cert  *tls.Certificate
		tls12 bool
	}{
		{"optional, no certificate", false, nil, true},
		{"optional, alice", false, &pki.Alice, true},
		{"optional, alice, TLS 1.3", false, &pki.Alice, false},
		{"optional, revoked", false, &pki.Mallory, true},
		{"required, alice", true, &pki.Alice, true},
		{"required, revoked", true, &pki.Mallory, false},
		{"required, none", true, nil, false},
	}
	for _, c := range cases {
		ha, ga := haOpt, goOpt
		if c.req {
			ha, ga = haReq, goReq
		}
		hg, gg := get(ha, c.cert, c.tls12), get(ga, c.cert, c.tls12)
		t.Logf("%s: haproxy\n%s", c.name, hg)
		if !c.tls12 {
			// Go and OpenSSL prefer different TLS 1.3 ciphers.
			hg = stripHeader(hg, "X-Ssl-Cipher")
			gg = stripHeader(gg, "X-Ssl-Cipher")
		}
		if hg != gg {
			t.Errorf("%s:\nhaproxy %q\ngoha    %q", c.name, hg, gg)
		}
	}
	// The serial is the certificate's, written as OpenSSL stores it.
	if got := get(goOpt, &pki.Alice, true); !strings.Contains(got, "X-Ssl-Serial: "+pki.AliceSerialBytes) {
		t.Errorf("serial: %q, want %s", got, pki.AliceSerialBytes)
	}
}

func stripHeader(resp, name string) string {
	var out []string
	for _, l := range strings.Split(resp, "\n") {
		if !strings.HasPrefix(l, name+":") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
