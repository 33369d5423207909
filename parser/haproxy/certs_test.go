package haproxy

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"
)

// testCertPEM makes a throwaway self-signed certificate and its key, PEM.
func testCertPEM(t *testing.T) (cert, key []byte) {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "goha-test"},
		NotBefore: time.Unix(0, 0), NotAfter: time.Unix(0, 0).Add(100 * 365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	kder, err := x509.MarshalECPrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kder})
}

// TestCertFileProblem: HAProxy's crt loading order and messages (checked
// with haproxy -c: empty, garbage, certificate alone, key alone, key in
// "<file>.key", key of another certificate).
func TestCertFileProblem(t *testing.T) {
	c1, k1 := testCertPEM(t)
	_, k2 := testCertPEM(t)
	keys := map[string][]byte{"side.pem.key": k1}
	readKey := func(p string) ([]byte, bool) { d, ok := keys[p]; return d, ok }
	join := func(a, b []byte) []byte { return append(append([]byte(nil), a...), b...) }
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{"empty.pem", nil, "unable to load certificate from file 'empty.pem'."},
		{"garbage.pem", []byte("not a certificate\n"), "unable to load certificate from file 'garbage.pem'."},
		{"keyonly.pem", k1, "unable to load certificate from file 'keyonly.pem'."},
		{"certonly.pem", c1, "No Private Key found in 'certonly.pem.key'."},
		{"side.pem", c1, ""},
		{"both.pem", join(c1, k1), ""},
		{"keyfirst.pem", join(k1, c1), ""},
		{"mismatch.pem", join(c1, k2), "inconsistencies between private key and certificate loaded 'mismatch.pem'."},
	}
	for _, tc := range tests {
		if got := certFileProblem(tc.name, tc.name+".key", tc.data, readKey); got != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}
