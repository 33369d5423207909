package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"
)

// TestOCSPStapledOnlyWhenValid: a good response beside the certificate
// is stapled; one HAProxy would ignore is not, with HAProxy's warning;
// without the issuer in the file, an .issuer file beside it serves.
func TestOCSPStapledOnlyWhenValid(t *testing.T) {
	dir := t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(9), Subject: pkix.Name{CommonName: "s"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}, ca, &k.PublicKey, caKey)
	kder, _ := x509.MarshalPKCS8PrivateKey(k)
	path := filepath.Join(dir, "s.pem")
	os.WriteFile(path, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...), 0o600)
	os.WriteFile(path+".issuer", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	now := time.Now()
	mk := func(serial int64) []byte {
		b, err := ocsp.CreateResponse(ca, ca, ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(serial),
			ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, c := range []struct {
		der     []byte
		staple  bool
		warning string
	}{
		{mk(9), true, ""},
		{mk(10), false, "Loading: OCSP single response: Certificate ID does not match certificate and issuer. Content will be ignored."},
		{[]byte{}, false, "Loading: Unable to parse OCSP response. Content will be ignored."},
	} {
		os.WriteFile(path+".ocsp", c.der, 0o600)
		certs, err := LoadCrt(path)
		if err != nil {
			t.Fatal(err)
		}
		if got := len(certs[0].TLS.OCSPStaple) > 0; got != c.staple || certs[0].Warning != c.warning {
			t.Errorf("stapled %v warning %q, want %v %q", got, certs[0].Warning, c.staple, c.warning)
		}
	}
}
