package tlsconf

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/tlsconf/internal/osslrsa"
)

// TestLoadedRSAKeyReady: a `crt` file's RSA key (PKCS#1 or PKCS#8, as
// openssl writes them) comes out of loading with its CRT values
// precomputed and its leaf parsed, so that a handshake does only the
// signature: no key preparation and no certificate parsing per
// handshake. Signed by OpenSSL or by Go (rsasign.go), the Go key behind
// is ready either way.
func TestLoadedRSAKeyReady(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "rsa.example.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	k8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	for name, blk := range map[string]*pem.Block{
		"pkcs1": {Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)},
		"pkcs8": {Type: "PRIVATE KEY", Bytes: k8},
	} {
		p := filepath.Join(t.TempDir(), name+".pem")
		data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(blk)...)
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cs, err := LoadCrt(p)
		if err != nil {
			t.Fatal(err)
		}
		c := cs[0].TLS
		k, ok := goRSAKey(c.PrivateKey)
		switch {
		case !ok:
			t.Errorf("%s: key %T", name, c.PrivateKey)
		case k.Precomputed.Dp == nil || k.Precomputed.Dq == nil || k.Precomputed.Qinv == nil:
			t.Errorf("%s: CRT values not precomputed", name)
		case c.Leaf == nil:
			t.Errorf("%s: leaf not parsed", name)
		}
		cfg, _, err := Bind{Crts: []string{p}}.Server()
		if err != nil {
			t.Fatal(err)
		}
		got, err := cfg.GetCertificate(&tls.ClientHelloInfo{})
		if err != nil || got.Leaf == nil || !keyReady(got.PrivateKey) {
			t.Errorf("%s: the bind's certificate is not ready (%v)", name, err)
		}
	}
}

// goRSAKey is the Go RSA key behind a certificate's key.
func goRSAKey(k any) (*rsa.PrivateKey, bool) {
	if o, ok := k.(*osslrsa.Key); ok {
		return o.GoKey(), true
	}
	r, ok := k.(*rsa.PrivateKey)
	return r, ok
}

func keyReady(k any) bool {
	r, ok := goRSAKey(k)
	return ok && r.Precomputed.Dp != nil
}
