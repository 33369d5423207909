package haproxycmd

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
)

// caFileCerts writes two client CAs (ca1.pem, ca2.pem, cas.pem holding
// ca1 only), a client certificate under each (cl1.pem, cl2.pem), and the
// CRLs of each CA (crl1.pem: none revoked, crl12.pem: both CAs', cl1
// revoked by ca1 in crl12rev.pem).
func caFileCerts(t *testing.T, dir string) {
	t.Helper()
	type ca struct {
		cert *x509.Certificate
		key  *ecdsa.PrivateKey
		der  []byte
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mk := func(cn string, serial int64, parent *ca, isCA bool) ca {
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tpl := &x509.Certificate{SerialNumber: big.NewInt(serial), Subject: pkix.Name{Country: []string{"FR"}, Organization: []string{"Org"}, CommonName: cn},
			NotBefore: at, NotAfter: at.AddDate(10, 0, 0), BasicConstraintsValid: true, IsCA: isCA}
		if isCA {
			tpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign
		} else {
			tpl.KeyUsage = x509.KeyUsageDigitalSignature
			tpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}
		}
		signer, signKey := tpl, k
		if parent != nil {
			signer, signKey = parent.cert, parent.key
		}
		der, err := x509.CreateCertificate(rand.Reader, tpl, signer, &k.PublicKey, signKey)
		if err != nil {
			t.Fatal(err)
		}
		c, _ := x509.ParseCertificate(der)
		return ca{cert: c, key: k, der: der}
	}
	certPEM := func(c ca) string { return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.der})) }
	keyPEM := func(c ca) string {
		b, _ := x509.MarshalPKCS8PrivateKey(c.key)
		return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: b}))
	}
	crl := func(issuer ca, revoked ...*big.Int) string {
		tpl := &x509.RevocationList{Number: big.NewInt(1), ThisUpdate: at, NextUpdate: at.AddDate(10, 0, 0)}
		for _, s := range revoked {
			tpl.RevokedCertificateEntries = append(tpl.RevokedCertificateEntries, x509.RevocationListEntry{SerialNumber: s, RevocationTime: at})
		}
		der, err := x509.CreateRevocationList(rand.Reader, tpl, issuer.cert, issuer.key)
		if err != nil {
			t.Fatal(err)
		}
		return string(pem.EncodeToMemory(&pem.Block{Type: "X509 CRL", Bytes: der}))
	}
	ca1, ca2 := mk("ca1", 0x3001, nil, true), mk("ca2", 0x3002, nil, true)
	cl1, cl2 := mk("client1", 0x4001, &ca1, false), mk("client2", 0x4002, &ca2, false)
	files := map[string]string{
		"cas.pem": certPEM(ca1), "ca2.pem": certPEM(ca2), "ca12.pem": certPEM(ca1) + certPEM(ca2),
		"cl1.pem": certPEM(cl1) + keyPEM(cl1), "cl2.pem": certPEM(cl2) + keyPEM(cl2),
		"crl1.pem": crl(ca1), "crl12.pem": crl(ca1) + crl(ca2), "crl12rev.pem": crl(ca1, cl1.cert.SerialNumber) + crl(ca2),
	}
	for n, v := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(v), 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// clientsAccepted says, for each client certificate (and none), whether
// the bind answers a request made with it.
func clientsAccepted(t *testing.T, p *sslPair, addr string) string {
	t.Helper()
	var b strings.Builder
	for _, f := range []string{"cl1.pem", "cl2.pem", "none"} {
		c, err := tls.LoadX509KeyPair(filepath.Join(p.certs, f), filepath.Join(p.certs, f))
		if f == "none" {
			c, err = tls.Certificate{}, nil
		}
		if err != nil {
			t.Fatal(err)
		}
		res := "refused"
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr,
			&tls.Config{InsecureSkipVerify: true, GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) { return &c, nil }})
		if err == nil {
			conn.SetDeadline(time.Now().Add(3 * time.Second))
			io.WriteString(conn, "GET / HTTP/1.0\r\n\r\n")
			if got, _ := io.ReadAll(conn); strings.HasPrefix(string(got), "HTTP/1.0 200") || strings.HasPrefix(string(got), "HTTP/1.1 200") {
				res = "accepted"
			}
			conn.Close()
		}
		fmt.Fprintf(&b, "%s: %s\n", f, res)
	}
	return b.String()
}

// The ca-file and crl-file hot-update commands answer as HAProxy 2.6
// does, byte for byte, and after each commit both daemons accept or
// refuse the same client certificates on the next handshake.
func TestSSLCAFileCommandsMatchHAProxy(t *testing.T) {
	p := startSSLPairWith(t, "crt %[4]s/a.pem ca-file %[4]s/cas.pem verify optional crl-file %[4]s/crl1.pem", "crt %[4]s/a.pem ca-file %[4]s/cas.pem verify required",
		func(dir string) { caFileCerts(t, dir) })
	check := func(when, want, want2 string) {
		t.Helper()
		ha, goha := clientsAccepted(t, p, p.haBinds[0]), clientsAccepted(t, p, p.goBinds[0])
		if ha != goha {
			t.Errorf("%s: clients differ\nhaproxy:\n%s\ngoha:\n%s", when, ha, goha)
		}
		if goha != want {
			t.Errorf("%s: goha\n%s, want\n%s", when, goha, want)
		}
		// bind 2: the same ca-file, verify required, no crl-file.
		if ha, goha := clientsAccepted(t, p, p.haBinds[1]), clientsAccepted(t, p, p.goBinds[1]); ha != goha {
			t.Errorf("%s: clients of bind 2 differ\nhaproxy:\n%s\ngoha:\n%s", when, ha, goha)
		} else if goha != want2 {
			t.Errorf("%s: bind 2: goha\n%s, want\n%s", when, goha, want2)
		}
	}
	check("start", "cl1.pem: accepted\ncl2.pem: refused\nnone: accepted\n",
		"cl1.pem: accepted\ncl2.pem: refused\nnone: refused\n")
	p.same(t, "show ssl ca-file", "show ssl ca-file $D/cas.pem", "show ssl ca-file $D/nosuch.pem",
		"show ssl crl-file", "show ssl crl-file $D/crl1.pem", "show ssl crl-file $D/nosuch.pem",
		"set ssl ca-file", "set ssl ca-file $D/cas.pem", "set ssl ca-file $D/nosuch.pem <<ca2.pem",
		"set ssl ca-file $D/cas.pem <<ca12.pem", "show ssl ca-file", "show ssl ca-file *$D/cas.pem",
		"commit ssl ca-file $D/crl1.pem", "abort ssl ca-file $D/crl1.pem", "del ssl ca-file $D/cas.pem")
	check("before commit", "cl1.pem: accepted\ncl2.pem: refused\nnone: accepted\n",
		"cl1.pem: accepted\ncl2.pem: refused\nnone: refused\n")
	p.same(t, "commit ssl ca-file $D/cas.pem", "commit ssl ca-file $D/cas.pem", "show ssl ca-file", "show ssl ca-file $D/cas.pem")
	// ca2 is trusted now, but crl-file has no CRL of ca2.
	check("after the ca-file commit", "cl1.pem: accepted\ncl2.pem: refused\nnone: accepted\n",
		"cl1.pem: accepted\ncl2.pem: accepted\nnone: refused\n")
	p.same(t, "set ssl crl-file", "set ssl crl-file $D/crl1.pem", "set ssl crl-file $D/crl1.pem <<crl12.pem",
		"show ssl crl-file", "show ssl crl-file *$D/crl1.pem", "commit ssl crl-file $D/crl1.pem", "show ssl crl-file $D/crl1.pem")
	check("after the crl-file commit", "cl1.pem: accepted\ncl2.pem: accepted\nnone: accepted\n",
		"cl1.pem: accepted\ncl2.pem: accepted\nnone: refused\n")
	p.same(t, "set ssl crl-file $D/crl1.pem <<crl12rev.pem", "abort ssl crl-file $D/crl1.pem", "abort ssl crl-file $D/crl1.pem",
		"set ssl crl-file $D/crl1.pem <<crl12rev.pem", "commit ssl crl-file $D/crl1.pem", "show ssl crl-file $D/crl1.pem")
	check("after the revocation", "cl1.pem: refused\ncl2.pem: accepted\nnone: accepted\n",
		"cl1.pem: accepted\ncl2.pem: accepted\nnone: refused\n")
	p.same(t, "abort ssl ca-file", "abort ssl ca-file $D/cas.pem", "commit ssl ca-file", "new ssl ca-file", "new ssl ca-file $D/cas.pem",
		"new ssl ca-file $D/n.pem", "show ssl ca-file", "show ssl ca-file $D/n.pem", "set ssl ca-file $D/n.pem <<ca2.pem",
		"commit ssl ca-file $D/n.pem", "show ssl ca-file $D/n.pem", "del ssl ca-file", "del ssl ca-file $D/cas.pem",
		"del ssl ca-file $D/n.pem", "del ssl ca-file $D/n.pem", "show ssl ca-file",
		"new ssl crl-file $D/nc.pem", "new ssl crl-file $D/crl1.pem", "show ssl crl-file", "del ssl crl-file $D/crl1.pem",
		"del ssl crl-file $D/nc.pem", "show ssl crl-file")
	p.same(t, "show ssl ca-file $D/cas.pem:1", "show ssl ca-file $D/cas.pem:2", "show ssl ca-file $D/cas.pem:3",
		"show ssl ca-file $D/cas.pem:0", "show ssl ca-file $D/cas.pem:x", "show ssl crl-file $D/crl1.pem:2", "show ssl crl-file $D/crl1.pem:5", "show ssl crl-file $D/crl1.pem:0",
		"set ssl ca-file $D/cas.pem <<bad.pem", "abort ssl ca-file $D/cas.pem", "set ssl crl-file $D/crl1.pem <<bad.pem", "abort ssl crl-file $D/crl1.pem",
		"set ssl ca-file $D/cas.pem <<cl1.pem", "set ssl ca-file $D/cas.pem <<crl1.pem", "set ssl ca-file $D/cas.pem <<ca2.pem",
		"set ssl ca-file $D/cas.pem <<ca12.pem", "set ssl crl-file $D/crl1.pem <<cas.pem", "set ssl crl-file $D/crl1.pem <<crl1.pem",
		"set ssl crl-file $D/crl1.pem <<crl12.pem", "show ssl crl-file", "commit ssl crl-file $D/crl1.pem", "commit ssl ca-file $D/cas.pem")
	// The CA names the server lists in its certificate request.
	caNames := func(addr string) int {
		n := -1
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: 2 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true,
			MaxVersion: tls.VersionTLS12,
			GetClientCertificate: func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
				n = len(cri.AcceptableCAs)
				return &tls.Certificate{}, nil
			}})
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		return n
	}
	if ha, goha := caNames(p.haBinds[0]), caNames(p.goBinds[0]); ha != goha {
		t.Errorf("CA names after the commit: haproxy %d, goha %d", ha, goha)
	}
}

// Without any ca-file or crl-file in the configuration.
func TestSSLCAFileCommandsWithoutCAMatchHAProxy(t *testing.T) {
	p := startSSLPair(t)
	p.same(t, "show ssl ca-file", "show ssl crl-file", "new ssl ca-file $D/n.pem", "show ssl ca-file",
		"set ssl ca-file $D/n.pem <<a.pem", "show ssl ca-file $D/a.pem")
}

// The ca-files of binds with ca-ignore-err or crt-ignore-err are in the
// runtime store as HAProxy 2.6's are: listed by show ssl ca-file, and a
// commit changes whom the next handshake accepts.
func TestSSLCAFileIgnoreErrMatchHAProxy(t *testing.T) {
	p := startSSLPairWith(t, "crt %[4]s/a.pem ca-file %[4]s/cas.pem verify required ca-ignore-err 10",
		"crt %[4]s/a.pem ca-file %[4]s/ca2.pem verify optional crt-ignore-err 10",
		func(dir string) { caFileCerts(t, dir) })
	check := func(when string, want [2]string) {
		t.Helper()
		for i := range 2 {
			ha, goha := clientsAccepted(t, p, p.haBinds[i]), clientsAccepted(t, p, p.goBinds[i])
			if ha != goha {
				t.Errorf("%s: clients of bind %d differ\nhaproxy:\n%s\ngoha:\n%s", when, i+1, ha, goha)
			} else if goha != want[i] {
				t.Errorf("%s: bind %d: goha\n%s, want\n%s", when, i+1, goha, want[i])
			}
		}
	}
	check("start", [2]string{"cl1.pem: accepted\ncl2.pem: refused\nnone: refused\n",
		"cl1.pem: refused\ncl2.pem: accepted\nnone: accepted\n"})
	p.same(t, "show ssl ca-file", "show ssl ca-file $D/cas.pem", "set ssl ca-file $D/cas.pem <<ca12.pem",
		"commit ssl ca-file $D/cas.pem", "set ssl ca-file $D/ca2.pem <<cas.pem", "commit ssl ca-file $D/ca2.pem",
		"show ssl ca-file", "show ssl ca-file $D/ca2.pem", "del ssl ca-file $D/ca2.pem")
	check("after the commits", [2]string{"cl1.pem: accepted\ncl2.pem: accepted\nnone: refused\n",
		"cl1.pem: accepted\ncl2.pem: refused\nnone: accepted\n"})
}
