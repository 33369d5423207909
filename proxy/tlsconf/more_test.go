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
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParseCrtList(t *testing.T) {
	l, err := ParseCrtList("# c\n\na.pem [alpn http/1.1 ssl-min-ver TLSv1.3] a.test !b.test\n/abs.pem [ verify required ca-file ca.pem ] *.w.test\nc.pem\n", "/crt", "/ca")
	if err != nil {
		t.Fatal(err)
	}
	want := []ListEntry{
		{Line: 3, Crt: "/crt/a.pem", Options: map[string]string{"alpn": "http/1.1", "ssl-min-ver": "TLSv1.3"}, Filters: []string{"a.test", "!b.test"}},
		{Line: 4, Crt: "/abs.pem", Options: map[string]string{"verify": "required", "ca-file": "/ca/ca.pem"}, Filters: []string{"*.w.test"}},
		{Line: 5, Crt: "/crt/c.pem", Options: map[string]string{}, Filters: []string{}},
	}
	if !reflect.DeepEqual(l, want) {
		t.Errorf("got %+v\nwant %+v", l, want)
	}
	for _, bad := range []string{"a.pem [alpn h2", "a.pem [no-ca-names]", "a.pem [alpn]", "# only a comment\n"} {
		if _, err := ParseCrtList(bad, "", ""); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCurvesAndHostMatches(t *testing.T) {
	if c, err := Curves("X25519:prime256v1:secp384r1"); err != nil || !reflect.DeepEqual(c, []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384}) {
		t.Errorf("%v %v", c, err)
	}
	if _, err := Curves("X448"); err == nil {
		t.Error("X448 accepted")
	}
	// Names is what parsing a certificate fills; the CN is checked
	// even beside SANs, as HAProxy does.
	c := &x509.Certificate{Subject: pkix.Name{Names: []pkix.AttributeTypeAndValue{{Type: []int{2, 5, 4, 3}, Value: "cn.test"}}},
		DNSNames: []string{"*.w.test", "a.test"}}
	for name, want := range map[string]bool{"a.test": true, "A.TEST.": true, "x.w.test": true, "y.x.w.test": false,
		"w.test": false, "cn.test": true, "other.test": false} {
		if HostMatches(c, name) != want {
			t.Errorf("HostMatches(%q) = %v", name, !want)
		}
	}
}

// TestRevoked: a listed serial is revoked; a chain whose issuer has no
// CRL in the file, or an expired CRL, fails as OpenSSL's CRL_CHECK_ALL.
func TestRevoked(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	now := time.Now()
	caT := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ca"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour), KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign}
	der, _ := x509.CreateCertificate(rand.Reader, caT, caT, &key.PublicKey, key)
	ca, _ := x509.ParseCertificate(der)
	leaf := func(serial int64) *x509.Certificate {
		t := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "x"}, NotBefore: now.Add(-time.Hour), NotAfter: now.Add(time.Hour)}
		d, _ := x509.CreateCertificate(rand.Reader, t, ca, &key.PublicKey, key)
		c, _ := x509.ParseCertificate(d)
		return c
	}
	crlDER, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: now.Add(-time.Minute), NextUpdate: now.Add(time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(7), RevocationTime: now}}}, ca, key)
	if err != nil {
		t.Fatal(err)
	}
	r, err := ParseCRLs(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crlDER}))
	if err != nil {
		t.Fatal(err)
	}
	if err := r.CheckAt([][]*x509.Certificate{{leaf(6), ca}}, now); err != nil {
		t.Errorf("good certificate: %v", err)
	}
	if err := r.CheckAt([][]*x509.Certificate{{leaf(7), ca}}, now); err == nil || err.Error() != "certificate revoked" {
		t.Errorf("revoked certificate: %v", err)
	}
	if err := r.CheckAt([][]*x509.Certificate{{leaf(6), ca}}, now.Add(2*time.Hour)); err == nil || err.Error() != "CRL has expired" {
		t.Errorf("expired CRL: %v", err)
	}
	other := &Revoked{}
	if err := other.CheckAt([][]*x509.Certificate{{leaf(6), ca}}, now); err == nil || err.Error() != "unable to get certificate CRL" {
		t.Errorf("no CRL for the issuer: %v", err)
	}
	if _, err := ParseCRLs([]byte("junk")); err == nil {
		t.Error("junk accepted as a CRL")
	}
}

// TestOCSPStaple: a ".ocsp" file beside the certificate is read, not
// taken for a certificate in a directory.
func TestOCSPStaple(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "o.test"}, NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kd, _ := x509.MarshalPKCS8PrivateKey(key)
	dir := t.TempDir()
	p := filepath.Join(dir, "o.pem")
	os.WriteFile(p, append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kd})...), 0o600)
	os.WriteFile(p+".ocsp", []byte("\x30\x03\x0a\x01\x00"), 0o600)
	// Without its issuer (not in the file, no .issuer) the response
	// cannot be checked: HAProxy refuses the certificate.
	if _, err := LoadCrt(dir); err == nil || !strings.Contains(err.Error(), "impossible to compute the OCSP certificate ID") {
		t.Errorf("no issuer: %v", err)
	}
	os.WriteFile(p+".issuer", pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	l, err := LoadCrt(dir) // the .ocsp and .issuer files are not taken for certificates
	if err != nil || len(l) != 1 {
		t.Fatalf("%v %v", l, err)
	}
	// A successful status without a response is not stapled, as HAProxy
	// ignores it (valid ones: TestOCSPStapledOnlyWhenValid).
	if len(l[0].TLS.OCSPStaple) != 0 || l[0].Warning != "Loading: Failed to get basic response from OCSP Response. Content will be ignored." {
		t.Errorf("staple %q warning %q", l[0].TLS.OCSPStaple, l[0].Warning)
	}
}
