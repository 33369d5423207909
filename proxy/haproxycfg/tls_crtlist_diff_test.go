package haproxycfg

import (
	"crypto/tls"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/testenv"
)

// crtList: filters that replace the certificate's names (alias), a
// wildcard with an exclusion, a certificate under its own names, and
// per-entry options (a version floor, client certificates required).
const crtList = `# goha crt-list test
a.pem [alpn http/1.1] a.example.test alias.example.test
b.pem [ssl-min-ver TLSv1.3] *.b.example.test !secret.b.example.test
dir/w.pem [verify required ca-file ca.pem]
`

const crtListConfig = pkiHead + `frontend fe
    bind FE ssl crt-list LIST
    http-request return status 200 content-type text/plain string ok
`

// TestCrtListDifferential: the certificate served for each SNI (its
// subject CN), and whether the handshake passes under each entry's
// options, beside HAProxy 2.6 on the same crt-list.
func TestCrtListDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	list := filepath.Join(pki.Dir, "list.txt")
	if err := os.WriteFile(list, []byte(crtList), 0o600); err != nil {
		t.Fatal(err)
	}
	haFE, goFE := startTemplated(t, crtListConfig, "FE", "PKIDIR", pki.Dir, "LIST", list)

	client, err := tls.LoadX509KeyPair(filepath.Join(pki.Dir, "client.pem"), filepath.Join(pki.Dir, "client.pem"))
	if err != nil {
		t.Fatal(err)
	}
	try := func(addr, name string, max uint16, cert bool) string {
		cfg := &tls.Config{ServerName: name, InsecureSkipVerify: true, MaxVersion: max, NextProtos: []string{"http/1.1"}}
		if cert {
			cfg.Certificates = []tls.Certificate{client}
		}
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr, cfg)
		if err != nil {
			return "refused"
		}
		defer c.Close()
		// TLS 1.3 reports a refused client certificate after the
		// handshake: read the answer.
		c.SetDeadline(time.Now().Add(3 * time.Second))
		c.Write([]byte("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"))
		buf := make([]byte, 512)
		n, _ := c.Read(buf)
		if !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
			return "refused after handshake"
		}
		st := c.ConnectionState()
		return st.PeerCertificates[0].Subject.CommonName + " alpn=" + st.NegotiatedProtocol
	}
	cases := []struct {
		name string
		max  uint16
		cert bool
	}{
		{"a.example.test", 0, false},
		{"alias.example.test", 0, false},
		{"b.example.test", 0, false},
		{"x.b.example.test", 0, false},
		{"X.B.example.test", 0, false},
		{"secret.b.example.test", 0, false},
		{"x.b.example.test", tls.VersionTLS12, false},
		{"q.w.example.test", 0, false},
		{"q.w.example.test", 0, true},
		{"nothing.test", 0, false},
		{"", 0, false},
	}
	for _, c := range cases {
		ha, ga := try(haFE, c.name, c.max, c.cert), try(goFE, c.name, c.max, c.cert)
		t.Logf("%q max %x cert %v: haproxy %q", c.name, c.max, c.cert, ha)
		if ha != ga {
			t.Errorf("%q max %x cert %v: haproxy %q, goha %q", c.name, c.max, c.cert, ha, ga)
		}
	}
}
