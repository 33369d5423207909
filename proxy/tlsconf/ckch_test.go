package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func pemCert(t *testing.T, cn string) []byte {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn}, DNSNames: []string{cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalPKCS8PrivateKey(k)
	return append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kb})...)
}

// Handshakes running while certificates are committed each get a whole
// certificate, the old or a new one, never an error (run under -race:
// the store's index is swapped, never changed in place).
func TestCommitWhileServing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.pem")
	os.WriteFile(path, pemCert(t, "a.example.test"), 0o600)
	r := NewRegistry()
	cfg, _, err := Bind{Crts: []string{path}, Registry: r}.Server()
	if err != nil {
		t.Fatal(err)
	}
	payloads := [][]byte{pemCert(t, "b.example.test"), pemCert(t, "c.example.test")}
	var wg sync.WaitGroup
	errs := make(chan error, 400)
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				c, err := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "x.example.test",
					SignatureSchemes: []tls.SignatureScheme{tls.ECDSAWithP256AndSHA256}, SupportedVersions: []uint16{tls.VersionTLS13}})
				if err != nil || c == nil || c.Leaf == nil {
					errs <- err
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		if _, _, err := r.SetCert(path, payloads[i%2]); err != nil {
			t.Fatal(err)
		}
		if _, err := r.CommitCert(path); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a handshake got no certificate: %v", err)
	}
	c, _ := cfg.GetCertificate(&tls.ClientHelloInfo{ServerName: "c.example.test"})
	if c.Leaf.Subject.CommonName != "c.example.test" {
		t.Errorf("after the commits the default is %s", c.Leaf.Subject.CommonName)
	}
}
