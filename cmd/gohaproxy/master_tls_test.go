package main

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"io"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// httpsServed GETs / over TLS on addr and returns the body and the DER of
// the certificate served.
func httpsServed(addr string) (string, []byte, error) {
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr, &tls.Config{InsecureSkipVerify: true})
	if err != nil {
		return "", nil, err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); err != nil {
		return "", nil, err
	}
	resp, err := io.ReadAll(c)
	if err != nil {
		return "", nil, err
	}
	_, body, _ := bytes.Cut(resp, []byte("\r\n\r\n"))
	return string(body), c.ConnectionState().PeerCertificates[0].Raw, nil
}

func certDER(t *testing.T, path string) []byte {
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := pem.Decode(data)
	return b.Bytes
}

// TestTLSReload: a master-worker reload keeps the TLS listener and serves
// the certificate as the file now holds it; a reload with a broken
// certificate is refused and the running worker serves on, with the
// certificate it had.
func TestTLSReload(t *testing.T) {
	bin := gohaproxyBin(t)
	be := startPMBackend(t)
	tmp := t.TempDir()
	crt := filepath.Join(tmp, "site.pem")
	first, second := selfSignedPEM(t), selfSignedPEM(t)
	copyFile := func(from string) {
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(crt, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	copyFile(first)
	addr := loopback.FreeAddr(t)
	cfg := filepath.Join(tmp, "tls.cfg")
	pmConfig(t, cfg, addr+" ssl crt "+crt, be.addr, "    master-worker")
	m := startPM(t, bin, nil, nil, "-db", "-f", cfg)
	served := func(want []byte, what string) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		var body string
		var der []byte
		var err error
		for time.Now().Before(deadline) {
			if body, der, err = httpsServed(addr); err == nil && body == "ok" && bytes.Equal(der, want) {
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
		t.Fatalf("%s: body %q, err %v, same certificate %v\n%s", what, body, err, bytes.Equal(der, want), m.stderr)
	}
	served(certDER(t, first), "at start")
	w1 := m.waitLog(t, `New worker \((\d+)\) forked`, 5*time.Second)[1]

	copyFile(second)
	m.cmd.Process.Signal(syscall.SIGUSR2)
	m.waitLog(t, `Former worker \(`+w1+`\) exited with code 0`, 10*time.Second)
	served(certDER(t, second), "after a reload with a new certificate")

	os.WriteFile(crt, []byte("-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n"), 0o600)
	m.cmd.Process.Signal(syscall.SIGUSR2)
	m.waitLog(t, `(?s)unable to load certificate from file '`+regexp.QuoteMeta(crt)+`'.*Loading failure!`, 10*time.Second)
	served(certDER(t, second), "after a reload with a broken certificate")
}
