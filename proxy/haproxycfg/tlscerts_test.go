package haproxycfg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// testPKI is a CA and the server certificates the TLS tests serve, written
// as PEM files under Dir: a.pem (ECDSA P-256, a.example.test, chain and
// key in one file), b.pem + b.pem.key (RSA 2048, b.example.test, key
// beside), dir/w.pem (ECDSA, *.w.example.test, in a directory); client
// certificates client.pem (from the CA) and stranger.pem (self-signed).
type testPKI struct {
	Dir, CA string
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	dir := t.TempDir()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "goha test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	caCert, _ := x509.ParseCertificate(caDER)
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	write := func(name string, data []byte) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("ca.pem", caPEM)
	issue := func(serial int64, cn string, key crypto.Signer) []byte {
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
			NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, caCert, key.Public(), caKey)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	keyPEM := func(key crypto.Signer) []byte {
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			t.Fatal(err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	}
	ka, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	write("a.pem", append(append(issue(2, "a.example.test", ka), caPEM...), keyPEM(ka)...))
	kb, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	write("b.pem", issue(3, "b.example.test", kb))
	write("b.pem.key", keyPEM(kb))
	kw, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	write("dir/w.pem", append(issue(4, "*.w.example.test", kw), keyPEM(kw)...))
	// A client certificate from the CA, and one self-signed (untrusted).
	kc, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	clientTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(5), Subject: pkix.Name{CommonName: "client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}
	cder, err := x509.CreateCertificate(rand.Reader, clientTmpl, caCert, &kc.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	write("client.pem", append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}), keyPEM(kc)...))
	ks, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	sder, err := x509.CreateCertificate(rand.Reader, clientTmpl, clientTmpl, &ks.PublicKey, ks)
	if err != nil {
		t.Fatal(err)
	}
	write("stranger.pem", append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: sder}), keyPEM(ks)...))
	return testPKI{Dir: dir, CA: filepath.Join(dir, "ca.pem")}
}
