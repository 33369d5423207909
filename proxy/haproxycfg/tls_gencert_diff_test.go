package haproxycfg

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// writeSigningCA writes a CA certificate and its key (ECDSA P-256, or
// RSA 2048 with rsaKey) in one PEM file, as ca-sign-file takes it.
func writeSigningCA(t *testing.T, dir string, rsaKey bool) (string, *x509.Certificate) {
	var key crypto.Signer
	key, _ = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if rsaKey {
		var err error
		if key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			t.Fatal(err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(0x5eed), Subject: pkix.Name{Country: []string{"FR"}, Organization: []string{"Goha Test"}, CommonName: "Goha Signing CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	kder, _ := x509.MarshalPKCS8PrivateKey(key)
	path := filepath.Join(dir, "signing-ca.pem")
	data := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder})...)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(der)
	return path, ca
}

// TestGenerateCertificatesDifferential: with generate-certificates, a
// server name no certificate serves gets a certificate forged as HAProxy
// 2.6 forges it (same subject, issuer, key, extensions and signature
// algorithm; the serial and dates differ only by when it was made), the
// CA after it; a name the bind serves, or no name, gets the bind's own;
// strict-sni still serves forged names.
func TestGenerateCertificatesDifferential(t *testing.T) {
	testGenerateCertificates(t, false)
}

// TestGenerateCertificatesRSADifferential: the same with an RSA signing CA
// and an RSA bind certificate, whose keys sign by OpenSSL in goha (the
// forged certificates' signatures by the CA key, the handshakes by the
// bind's key).
func TestGenerateCertificatesRSADifferential(t *testing.T) {
	testGenerateCertificates(t, true)
}

func testGenerateCertificates(t *testing.T, rsaKeys bool) {
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	caFile, ca := writeSigningCA(t, pki.Dir, rsaKeys)
	crt, served := "a.pem", "a.example.test"
	if rsaKeys {
		crt, served = "b.pem", "b.example.test"
	}
	cfgText := crtBaseHead + `frontend fe
    bind B1 ssl crt a.pem generate-certificates ca-sign-file CAFILE
    bind B2 ssl crt a.pem strict-sni generate-certificates ca-sign-file CAFILE
    http-request return status 200 content-type text/plain string ok
`
	ha, goha := startTemplatedAddrs(t, cfgText, []string{"B1", "B2"}, "PKIDIR", pki.Dir, "CAFILE", caFile, "a.pem", crt)
	h1, h2, g1, g2 := ha[0], ha[1], goha[0], goha[1]

	// describe is what a client sees of the chain, serial and dates
	// aside (checked below).
	type seen struct {
		desc           string
		serial         *big.Int
		before, expire time.Time
	}
	fetch := func(addr, sni string) seen {
		// TLS 1.3: HAProxy 2.6 fails the first TLS 1.2 handshake of a Go
		// client that makes it forge a certificate (EOF; the next one
		// gets the cached certificate). OpenSSL's client does not hit it.
		c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: sni})
		if err != nil {
			return seen{desc: "refused"}
		}
		defer c.Close()
		chain := c.ConnectionState().PeerCertificates
		leaf := chain[0]
		var b strings.Builder
		fmt.Fprintf(&b, "chain %d, v%d %s\nsubject %x\nissuer %x\nkey %x\n", len(chain), leaf.Version, leaf.SignatureAlgorithm, leaf.RawSubject, leaf.RawIssuer, leaf.RawSubjectPublicKeyInfo)
		for _, e := range leaf.Extensions {
			fmt.Fprintf(&b, "ext %v critical=%v %s\n", e.Id, e.Critical, hex.EncodeToString(e.Value))
		}
		for _, x := range chain[1:] {
			fmt.Fprintf(&b, "then %s\n", x.Subject)
		}
		if leaf.Issuer.CommonName == ca.Subject.CommonName {
			roots := x509.NewCertPool()
			roots.AddCert(ca)
			if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: sni}); err != nil {
				fmt.Fprintf(&b, "does not verify: %v\n", err)
			}
		}
		return seen{b.String(), leaf.SerialNumber, leaf.NotBefore, leaf.NotAfter}
	}
	start := time.Now()
	for _, c := range []struct{ bind, sni string }{
		{"B1", served}, {"B1", "foo.example.test"}, {"B1", "Bar.Example.Test"}, {"B1", ""},
		{"B2", "foo.example.test"}, {"B2", "baz.example.test"}, {"B2", served}, {"B2", ""},
		{"B1", "foo.example.test"},
	} {
		ha, goha := h1, g1
		if c.bind == "B2" {
			ha, goha = h2, g2
		}
		h, g := fetch(ha, c.sni), fetch(goha, c.sni)
		t.Logf("%s %q: haproxy\n%s", c.bind, c.sni, h.desc)
		if h.desc != g.desc {
			t.Errorf("%s %q:\nhaproxy %s\ngoha    %s", c.bind, c.sni, h.desc, g.desc)
		}
		if h.serial == nil || g.serial == nil || !strings.Contains(h.desc, "Goha Signing CA") {
			continue
		}
		for name, s := range map[string]seen{"haproxy": h, "goha": g} {
			// A day back, a year on, from when it was forged.
			if d := s.expire.Sub(s.before); d != 366*24*time.Hour {
				t.Errorf("%s %s %q: valid for %v", name, c.bind, c.sni, d)
			}
			if s.before.Before(start.Add(-24*time.Hour-2*time.Second)) || s.before.After(time.Now().Add(-24*time.Hour+2*time.Second)) {
				t.Errorf("%s %s %q: not before %v, forged at %v", name, c.bind, c.sni, s.before, start)
			}
		}
	}
	// Serials count up from one forged certificate to the next; a name
	// already forged keeps its certificate (the LRU).
	for name, addr := range map[string]string{"haproxy": h1, "goha": g1} {
		a, b, again := fetch(addr, "one.example.test"), fetch(addr, "two.example.test"), fetch(addr, "one.example.test")
		if new(big.Int).Sub(b.serial, a.serial).Int64() != 1 || again.serial.Cmp(a.serial) != 0 {
			t.Errorf("%s: serials %v, %v, then %v for the first name again", name, a.serial, b.serial, again.serial)
		}
	}
}

// TestSSLCtxCacheSizeDifferential: tune.ssl.ssl-ctx-cache-size bounds
// the forged certificates generate-certificates keeps (an LRU): with 2,
// a name forged again after two others were forged gets a new
// certificate (a new serial) where one used in between keeps its own,
// beside HAProxy 2.6.12; the default (1000) keeps every one.
func TestSSLCtxCacheSizeDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	caFile, _ := writeSigningCA(t, pki.Dir, false)
	serial := func(addr, sni string) string {
		c, err := tls.Dial("tcp", addr, &tls.Config{InsecureSkipVerify: true, ServerName: sni})
		if err != nil {
			return "refused"
		}
		defer c.Close()
		return c.ConnectionState().PeerCertificates[0].SerialNumber.String()
	}
	order := []string{"one", "two", "one", "three", "two", "one", "three", "four", "one"}
	for _, size := range []string{"    tune.ssl.ssl-ctx-cache-size 2\n", ""} {
		cfgText := "global\n    crt-base PKIDIR\n" + size + httpDefaults2s + `frontend fe
    bind B1 ssl crt a.pem generate-certificates ca-sign-file CAFILE
    http-request return status 200 content-type text/plain string ok
`
		ha, goha := startTemplatedAddrs(t, cfgText, []string{"B1"}, "PKIDIR", pki.Dir, "CAFILE", caFile)
		var got [2]string
		for i, addr := range []string{ha[0], goha[0]} {
			last := map[string]string{}
			var b strings.Builder
			for _, n := range order {
				s := serial(addr, n+".example.test")
				switch {
				case s == "refused":
					b.WriteString(n + ":refused ")
				case last[n] == s:
					b.WriteString(n + ":kept ")
				default:
					b.WriteString(n + ":new ")
				}
				last[n] = s
			}
			got[i] = b.String()
		}
		t.Logf("%q: haproxy %s", size, got[0])
		if got[0] != got[1] {
			t.Errorf("%q: forged certificates\nhaproxy %s\ngoha    %s", size, got[0], got[1])
		}
	}
}
