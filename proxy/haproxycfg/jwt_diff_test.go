package haproxycfg

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func b64u(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwtFixtures writes an RSA and an EC public key and an EC certificate,
// and returns
// their paths with tokens signed every way jwt_verify reads them.
func jwtFixtures(t *testing.T) (rsaPub, ecPub, ecCert string, tokens []string) {
	dir := t.TempDir()
	rk, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKIXPublicKey(&rk.PublicKey)
	rsaPub = filepath.Join(dir, "rsa.pub.pem")
	os.WriteFile(rsaPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), 0o644)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "jwt"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	cder, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &ek.PublicKey, ek)
	if err != nil {
		t.Fatal(err)
	}
	eder, _ := x509.MarshalPKIXPublicKey(&ek.PublicKey)
	ecPub = filepath.Join(dir, "ec.pub.pem")
	os.WriteFile(ecPub, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: eder}), 0o644)
	ecCert = filepath.Join(dir, "ec.crt")
	os.WriteFile(ecCert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cder}), 0o644)

	head := func(alg string) string { return b64u([]byte(`{"alg":"` + alg + `","typ":"JWT"}`)) }
	body := b64u([]byte(`{"sub":"bob"}`))
	hs := func(alg, key string) string {
		in := head(alg) + "." + body
		m := hmac.New(sha256.New, []byte(key))
		m.Write([]byte(in))
		return in + "." + b64u(m.Sum(nil))
	}
	in := head("RS256") + "." + body
	sum := sha256.Sum256([]byte(in))
	rsig, _ := rsa.SignPKCS1v15(rand.Reader, rk, crypto.SHA256, sum[:])
	rs := in + "." + b64u(rsig)
	ein := head("ES256") + "." + body
	esum := sha256.Sum256([]byte(ein))
	r, s, _ := ecdsa.Sign(rand.Reader, ek, esum[:])
	raw := make([]byte, 64)
	r.FillBytes(raw[:32])
	s.FillBytes(raw[32:])
	es := ein + "." + b64u(raw)
	esDER, _ := ecdsa.SignASN1(rand.Reader, ek, esum[:])
	tokens = []string{
		hs("HS256", "secret"), hs("HS256", "other"), rs, rs[:len(rs)-2] + "AA", rs + ".x", es, ein + "." + b64u(esDER),
		head("none") + "." + body + ".", head("none") + "." + body, "a.b.c", "", "..", "a.b.c=", "a.b.!",
		strings.Replace(rs, body, b64u([]byte(`{"sub":"eve"}`)), 1),
	}
	return rsaPub, ecPub, ecCert, tokens
}

// TestJWTVerifyDifferential: jwt_verify with HMAC secrets (constant and
// in a variable), an RSA public key file, an EC certificate, "none", and
// the algorithm from a variable (unknown, PS256), on valid, tampered and
// malformed tokens: the codes HAProxy 2.6 and goha return must be equal.
func TestJWTVerifyDifferential(t *testing.T) {
	rsaPub, ecPub, ecCert, tokens := jwtFixtures(t)
	exprs := []string{
		"jwt_verify(HS256,secret)", "jwt_verify(HS256,txn.key)", "jwt_verify(HS384,secret)",
		"jwt_verify(RS256," + rsaPub + ")", "jwt_verify(RS384," + rsaPub + ")", "jwt_verify(ES256," + ecCert + ")", "jwt_verify(ES256," + ecPub + ")", "jwt_verify(RS256," + ecPub + ")", "jwt_verify(ES256," + rsaPub + ")",
		"jwt_verify(RS256," + ecCert + ")", "jwt_verify(ES256,/nonexistent.pem)", "jwt_verify(none,x)",
		"jwt_verify(txn.alg,secret)", "jwt_verify(txn.alg," + rsaPub + ")",
	}
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	b.WriteString("    http-request set-var(txn.key) str(secret)\n    http-request set-var(txn.alg) req.hdr(a)\n")
	for i, e := range exprs {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string '[%%[req.hdr(x),%s]]' if { path /e%d }\n", e, i)
	}
	b.WriteString("    http-request return status 404\n")
	cfg := b.String()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	seen := map[string]bool{}
	for i, e := range exprs {
		for _, alg := range []string{"HS256", "RS256", "PS256", "XX1"} {
			if alg != "HS256" && !strings.Contains(e, "txn.alg") {
				continue
			}
			for _, tok := range tokens {
				raw := fmt.Sprintf("GET /e%d HTTP/1.1\r\nHost: h\r\nX: %s\r\nA: %s\r\nConnection: close\r\n\r\n", i, tok, alg)
				want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
				got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
				if !bytes.Equal(want, got) {
					t.Errorf("%s (alg var %s) on %q\nhaproxy: %q\ngoha:    %q", e, alg, tok, body(want), body(got))
				}
				seen[string(body(want))] = true
			}
		}
	}
	// Every result code must have been produced, or a row tests nothing.
	for _, code := range []string{"[1]", "[0]", "[-1]", "[-2]", "[-3]", "[-5]"} {
		if !seen[code] {
			t.Errorf("HAProxy never answered %s", code)
		}
	}
}
