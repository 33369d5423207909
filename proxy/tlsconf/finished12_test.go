package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"math/big"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// tapConn keeps what it writes.
type tapConn struct {
	net.Conn
	mu  sync.Mutex
	out bytes.Buffer
}

func (c *tapConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.out.Write(p)
	c.mu.Unlock()
	return c.Conn.Write(p)
}

func (c *tapConn) written() []byte {
	c.mu.Lock()
	defer c.mu.Unlock()
	return bytes.Clone(c.out.Bytes())
}

func testSelfSigned(t *testing.T, key crypto.Signer) tls.Certificate {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: []string{"x"}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestFinished12: the Finished each side of a TLS 1.0-1.2 handshake
// sent, read off its bytes with the master secret, is crypto/tls's
// tls-unique where that is the one sent first (the client's on a full
// handshake, the server's on a resumed one), for every suite
// Finished12 knows.
func TestFinished12(t *testing.T) {
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	rk, _ := rsa.GenerateKey(rand.Reader, 2048)
	ecert, rcert := testSelfSigned(t, ek), testSelfSigned(t, rk)
	for id := range suites12 {
		name := tls.CipherSuiteName(id)
		cert := rcert
		if strings.Contains(name, "ECDSA") {
			cert = ecert
		}
		for _, ver := range []uint16{tls.VersionTLS10, tls.VersionTLS11, tls.VersionTLS12} {
			if ver < tls.VersionTLS12 && (strings.Contains(name, "GCM") || strings.Contains(name, "CHACHA") || strings.Contains(name, "SHA256")) {
				continue
			}
			var master string
			var mu sync.Mutex
			kl := writerFunc(func(p []byte) (int, error) {
				if f := strings.Fields(string(p)); len(f) == 3 && f[0] == "CLIENT_RANDOM" {
					mu.Lock()
					master = f[2]
					mu.Unlock()
				}
				return len(p), nil
			})
			scfg := &tls.Config{Certificates: []tls.Certificate{cert}, CipherSuites: []uint16{id}, MinVersion: ver, MaxVersion: ver, KeyLogWriter: kl}
			ccfg := &tls.Config{InsecureSkipVerify: true, CipherSuites: []uint16{id}, MinVersion: ver, MaxVersion: ver,
				ClientSessionCache: tls.NewLRUClientSessionCache(1)}
			for _, resumed := range []bool{false, true} {
				a, b := net.Pipe()
				ca, sb := &tapConn{Conn: a}, &tapConn{Conn: b}
				srv := tls.Server(sb, scfg)
				done := make(chan error, 1)
				go func() { done <- srv.Handshake(); srv.Write([]byte("x")) }()
				cl := tls.Client(ca, ccfg)
				if err := cl.Handshake(); err != nil {
					t.Fatalf("%s %x: %v", name, ver, err)
				}
				if err := <-done; err != nil {
					t.Fatalf("%s %x: server: %v", name, ver, err)
				}
				cl.Read(make([]byte, 1)) // the ticket came before
				st := cl.ConnectionState()
				if st.DidResume != resumed {
					t.Fatalf("%s %x: resumed %v", name, ver, st.DidResume)
				}
				hr := HelloRandom{}
				hr.Feed(ca.written())
				sr := HelloRandom{Server: true}
				sr.Feed(sb.written())
				mu.Lock()
				m, _ := hex.DecodeString(master)
				mu.Unlock()
				stream, server := ca.written(), false
				if resumed {
					stream, server = sb.written(), true
				}
				got := Finished12(stream, ver, id, m, hr.Random, sr.Random, server)
				if len(st.TLSUnique) != 12 || !bytes.Equal(got, st.TLSUnique) {
					t.Errorf("%s %x resumed %v: %x, tls-unique %x", name, ver, resumed, got, st.TLSUnique)
				}
				a.Close() // not the TLS Close: its close_notify would wait on the pipe
				b.Close()
			}
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
