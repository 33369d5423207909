package haproxycfg

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// tlsGet dials addr and runs tlsGetOn on the connection (3 s for all).
func tlsGet(t *testing.T, addr string, tc *tls.Config) (body string, st tls.ConnectionState, keylog string, err error) {
	t.Helper()
	raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(3 * time.Second))
	return tlsGetOn(t, raw, tc)
}

// tlsGetOn makes a TLS client of tc (a copy with a key log) on raw and
// sends one GET / (Connection: close): the body of the answer, the
// connection's state and the client's key log lines, or the handshake's
// error.
func tlsGetOn(t *testing.T, raw net.Conn, tc *tls.Config) (body string, st tls.ConnectionState, keylog string, err error) {
	t.Helper()
	var kl bytes.Buffer
	tc = tc.Clone()
	tc.KeyLogWriter = &kl
	c := tls.Client(raw, tc)
	if err := c.Handshake(); err != nil {
		return "", tls.ConnectionState{}, "", err
	}
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	return string(b), c.ConnectionState(), kl.String(), nil
}

// pemCert loads the certificate and key of a PEM file holding both.
func pemCert(t *testing.T, file string) tls.Certificate {
	t.Helper()
	cert, err := tls.LoadX509KeyPair(file, file)
	if err != nil {
		t.Fatal(err)
	}
	return cert
}

// httpsGetOnce makes one GET of url through net/http's client over TLS
// configured by tc, on a new connection (no keep-alive), within timeout:
// the answer with its body read, or the error.
func httpsGetOnce(url string, tc *tls.Config, timeout time.Duration) (*http.Response, []byte, error) {
	cl := &http.Client{Timeout: timeout, Transport: &http.Transport{TLSClientConfig: tc, DisableKeepAlives: true}}
	resp, err := cl.Get(url)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b, nil
}
