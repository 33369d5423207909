package main

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/ocsp"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestOCSPFileCheckMatchesHAProxy: a "<crt>.ocsp" file beside a bind's
// certificate is checked when loaded as HAProxy 2.6 checks it (parsed,
// successful, one single response, good or revoked, with a next update,
// still valid, for this certificate and its issuer); `-c` answers each
// case with HAProxy's words and exit code.
func TestOCSPFileCheckMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	dir := t.TempDir()
	key := func() *ecdsa.PrivateKey { k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader); return k }
	caKey, otherKey := key(), key()
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "OCSP Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature}
	caDER, _ := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	ca, _ := x509.ParseCertificate(caDER)
	siteKey := key()
	siteDER, _ := x509.CreateCertificate(rand.Reader, &x509.Certificate{SerialNumber: big.NewInt(77),
		Subject: pkix.Name{CommonName: "site.test"}, DNSNames: []string{"site.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour)}, ca, &siteKey.PublicKey, caKey)
	kder, _ := x509.MarshalPKCS8PrivateKey(siteKey)
	site := filepath.Join(dir, "site.pem")
	os.WriteFile(site, append(append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: siteDER}),
		pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})...),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...), 0o600)
	now := time.Now().Truncate(time.Second)
	resp := func(signer crypto.Signer, tmpl ocsp.Response) []byte {
		b, err := ocsp.CreateResponse(ca, ca, tmpl, signer)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	good := ocsp.Response{Status: ocsp.Good, SerialNumber: big.NewInt(77), ThisUpdate: now.Add(-time.Hour), NextUpdate: now.Add(time.Hour)}
	with := func(f func(*ocsp.Response)) ocsp.Response { r := good; f(&r); return r }
	cases := []struct {
		name string
		der  []byte
	}{
		{"good", resp(caKey, good)},
		{"garbage", []byte("not an OCSP response")},
		{"empty", nil},
		{"trylater", ocsp.TryLaterErrorResponse},
		{"successful without a response", []byte("\x30\x03\x0a\x01\x00")},
		{"unknown", resp(caKey, with(func(r *ocsp.Response) { r.Status = ocsp.Unknown }))},
		{"revoked", resp(caKey, with(func(r *ocsp.Response) {
			r.Status, r.RevokedAt, r.RevocationReason = ocsp.Revoked, now.Add(-time.Minute), ocsp.KeyCompromise
		}))},
		{"expired", resp(caKey, with(func(r *ocsp.Response) { r.ThisUpdate, r.NextUpdate = now.Add(-3*time.Hour), now.Add(-time.Hour) }))},
		{"future", resp(caKey, with(func(r *ocsp.Response) { r.ThisUpdate, r.NextUpdate = now.Add(time.Hour), now.Add(2*time.Hour) }))},
		{"nonext", resp(caKey, with(func(r *ocsp.Response) { r.NextUpdate = time.Time{} }))},
		{"otherserial", resp(caKey, with(func(r *ocsp.Response) { r.SerialNumber = big.NewInt(78) }))},
		{"othersigner", resp(otherKey, good)},
	}
	cfg := filepath.Join(dir, "o.cfg")
	os.WriteFile(cfg, []byte("defaults\n    mode http\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
		"frontend fe\n    bind 127.0.0.1:1 ssl crt "+site+"\n"), 0o644)
	for _, c := range cases {
		if c.der == nil {
			os.WriteFile(site+".ocsp", []byte{}, 0o600)
		} else {
			os.WriteFile(site+".ocsp", c.der, 0o600)
		}
		cmd := exec.Command(hp, "-c", "-f", cfg)
		var hout, herr strings.Builder
		cmd.Stdout, cmd.Stderr = &hout, &herr
		err := cmd.Run()
		hcode := 0
		if ee, ok := err.(*exec.ExitError); ok {
			hcode = ee.ExitCode()
		}
		code, gout, gerr := runArgs("-c", "-f", cfg)
		want, got := checkOutput(herr.String()+hout.String()), checkOutput(gerr+gout)
		t.Logf("%s: haproxy exit %d\n%s", c.name, hcode, want)
		if want != got || hcode != code {
			t.Errorf("%s:\nhaproxy (exit %d):\n%s\ngoha (exit %d):\n%s", c.name, hcode, want, code, got)
		}
	}
}
