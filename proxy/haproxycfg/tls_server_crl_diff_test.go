package haproxycfg

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// serverCRLPKI writes ca.pem, a CA's crl.pem revoking serial 3, and
// returns the server certificates it issued for s.example.test: serial 2
// (good) and 3 (revoked).
func serverCRLPKI(t *testing.T) (dir string, good, revoked tls.Certificate) {
	dir = t.TempDir()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Goha CRL CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	issue := func(serial int64) tls.Certificate {
		k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: "s.example.test"},
			DNSNames: []string{"s.example.test"}, NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &k.PublicKey, caKey)
		if err != nil {
			t.Fatal(err)
		}
		return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: k}
	}
	crl, err := x509.CreateRevocationList(rand.Reader, &x509.RevocationList{
		Number: big.NewInt(1), ThisUpdate: time.Now().Add(-time.Hour), NextUpdate: time.Now().Add(24 * time.Hour),
		RevokedCertificateEntries: []x509.RevocationListEntry{{SerialNumber: big.NewInt(3), RevocationTime: time.Now().Add(-time.Minute)}},
	}, ca, caKey)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	os.WriteFile(filepath.Join(dir, "crl.pem"), pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: crl}), 0o600)
	return dir, issue(2), issue(3)
}

// TestServerCRLMatchesHAProxy: crl-file on server lines beside HAProxy
// 2.6.12. A server verified against the CA with its crl-file is refused
// when the CRL revokes its certificate (the client gets the 503 of a
// failed connect), served otherwise, and served whatever the CRL says
// without crl-file. What the client got and what each recording server
// saw must match.
func TestServerCRLMatchesHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	dir, good, revoked := serverCRLPKI(t)
	verify := "ssl verify required ca-file " + dir + "/ca.pem sni str(s.example.test)"
	cases := []struct {
		name, line string
		cert       tls.Certificate
	}{
		{"crl-file, good", verify + " crl-file " + dir + "/crl.pem", good},
		{"crl-file, revoked", verify + " crl-file " + dir + "/crl.pem", revoked},
		{"no crl-file, revoked", verify, revoked},
	}
	run := func(ha bool) []string {
		var recs []*tlsRecorder
		var fronts []string
		var b strings.Builder
		b.WriteString("defaults\n    mode http\n    timeout connect 1s\n    timeout client 3s\n    timeout server 3s\n    retries 0\n    http-reuse never\n    option http-server-close\n")
		for i, c := range cases {
			cfg := &tls.Config{Certificates: []tls.Certificate{c.cert}}
			r := startTLSRecorder(t, cfg)
			recs = append(recs, r)
			f := loopback.FreeAddr(t)
			fronts = append(fronts, f)
			fmt.Fprintf(&b, "frontend f%d\n    bind %s\n    default_backend b%d\nbackend b%d\n", i, f, i, i)
			fmt.Fprintf(&b, "    server s %s %s\n", r.addr, c.line)
		}
		cfg := b.String()
		if ha {
			difftest.StartHAProxy(t, cfg, fronts[0])
		} else {
			runPlan(t, cfg)
		}
		var out []string
		for i, f := range fronts {
			loopback.WaitListen(t, f)
			c, err := net.DialTimeout("tcp", f, time.Second)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			c.Write([]byte("GET / HTTP/1.1\r\nhost: h\r\nconnection: close\r\n\r\n"))
			resp, _ := io.ReadAll(c)
			c.Close()
			status, _, _ := strings.Cut(string(resp), "\r\n")
			recs[i].wait(1)
			out = append(out, status+"; server: "+recs[i].notes())
		}
		return out
	}
	h, g := run(true), run(false)
	for i, c := range cases {
		t.Logf("%s: haproxy %s", c.name, h[i])
		if h[i] != g[i] {
			t.Errorf("%s (%s):\nhaproxy %s\ngoha    %s", c.name, c.line, h[i], g[i])
		}
	}
}
