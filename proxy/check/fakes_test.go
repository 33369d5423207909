package check

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"testing"
	"time"
)

// fakeServer is a tiny scripted TCP server on 127.0.0.1 standing in for
// Redis, MySQL, PostgreSQL, SMTP, LDAP or a plain TCP service: per
// connection it sends greet, reads until it has need bytes (or a line when
// need < 0), sends reply, then closes (or, with !close, reads until the
// client closes). It records every byte it read per connection.
type fakeServer struct {
	ln    net.Listener
	greet []byte
	need  int
	reply []byte
	close bool
	hang  bool // accept and say nothing
	split bool // send reply in two halves, 50 ms apart
	// script: after greet, the answer to each line received in turn
	// (need, reply and close are then unused)
	script []string
	tls    *tls.Config
	mu     sync.Mutex
	got    [][]byte
	conns  []net.Conn
	ended  int // connections served to the end (recorded, or hang)
}

func startFake(t *testing.T, f *fakeServer) *fakeServer {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.ln = ln
	t.Cleanup(func() {
		ln.Close()
		f.mu.Lock()
		for _, c := range f.conns {
			c.Close()
		}
		f.mu.Unlock()
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			f.mu.Lock()
			f.conns = append(f.conns, c)
			f.mu.Unlock()
			go f.serve(c)
		}
	}()
	return f
}

// recConn records what is read through it.
type recConn struct {
	net.Conn
	buf bytes.Buffer
}

func (r *recConn) Read(p []byte) (int, error) {
	n, err := r.Conn.Read(p)
	r.buf.Write(p[:n])
	return n, err
}

func (f *fakeServer) serve(c net.Conn) {
	if f.hang {
		f.mu.Lock()
		f.ended++
		f.mu.Unlock()
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(fakeDeadline))
	rc := &recConn{Conn: c}
	defer func() {
		f.mu.Lock()
		f.got = append(f.got, rc.buf.Bytes())
		f.ended++
		f.mu.Unlock()
	}()
	if f.tls != nil {
		tls.Server(rc, f.tls).Handshake() // answers an SSLv3 hello with an alert
		return
	}
	if len(f.greet) > 0 {
		c.Write(f.greet)
	}
	tmp := make([]byte, 4096)
	if f.script != nil {
		answered := 0
		for {
			for answered < len(f.script) && bytes.Count(rc.buf.Bytes(), []byte("\n")) > answered {
				c.Write([]byte(f.script[answered]))
				answered++
			}
			if _, err := rc.Read(tmp); err != nil {
				return
			}
		}
	}
	for f.need != 0 {
		if f.need > 0 && rc.buf.Len() >= f.need || f.need < 0 && bytes.Contains(rc.buf.Bytes(), []byte("\n")) {
			break
		}
		if _, err := rc.Read(tmp); err != nil {
			return
		}
	}
	if len(f.reply) > 0 && f.split {
		c.Write(f.reply[:len(f.reply)/2])
		time.Sleep(50 * time.Millisecond)
		c.Write(f.reply[len(f.reply)/2:])
	} else if len(f.reply) > 0 {
		c.Write(f.reply)
	}
	if f.close {
		return
	}
	for {
		if _, err := rc.Read(tmp); err != nil {
			return
		}
	}
}

func (f *fakeServer) addr() string { return f.ln.Addr().String() }

// fakeDeadline bounds each connection of a fakeServer.
const fakeDeadline = 2 * time.Second

// received returns what each connection sent, in order, and forgets it.
// It first waits for the connections accepted so far to end (each within
// fakeDeadline): a checker stopped a moment ago may still be closing its
// last one, which would otherwise be recorded among the next run's.
func (f *fakeServer) received() [][]byte {
	limit := time.Now().Add(fakeDeadline + time.Second)
	f.mu.Lock()
	defer f.mu.Unlock()
	for f.ended < len(f.conns) && time.Now().Before(limit) {
		f.mu.Unlock()
		time.Sleep(10 * time.Millisecond)
		f.mu.Lock()
	}
	g := f.got
	f.got = nil
	return g
}

// selfSignedTLS is a server TLS config with a fresh ECDSA certificate.
func selfSignedTLS(t *testing.T) *tls.Config {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "goha-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
}

// mysqlHandshake is a protocol-10 initial handshake from "server 5.7.99".
func mysqlHandshake() []byte {
	body := append([]byte{0x0a}, "5.7.99-goha\x00"...)
	body = append(body, make([]byte, 40)...)
	return append([]byte{byte(len(body)), 0, 0, 0}, body...)
}

// mysqlErr is an error packet (seq) with code 1045.
func mysqlErr(seq byte) []byte {
	body := append([]byte{0xff, 0x15, 0x04}, "#28000Access denied for user 'haproxy'"...)
	return append([]byte{byte(len(body)), 0, 0, seq}, body...)
}

var mysqlOK = []byte{0x07, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00}

var (
	ldapBindOK  = []byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00}
	ldapBindBad = []byte{0x30, 0x0c, 0x02, 0x01, 0x01, 0x61, 0x07, 0x0a, 0x01, 0x31, 0x04, 0x00, 0x04, 0x00}
	pgAuthOK    = []byte{'R', 0, 0, 0, 8, 0, 0, 0, 0}
	pgAuthMD5   = []byte{'R', 0, 0, 0, 12, 0, 0, 0, 5, 1, 2, 3, 4}
)

func pgError() []byte {
	body := []byte("SFATAL\x00VFATAL\x00C28000\x00Mno pg_hba.conf entry\x00\x00")
	n := len(body) + 4
	return append([]byte{'E', byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}, body...)
}

// defaultRequest is the request of `option httpchk` alone, as
// proxy/haproxycfg fills it from parser/haproxy's defaults table.
var defaultRequest = ProbeRequest{Method: "OPTIONS", URI: "/", Version: "HTTP/1.0"}

// mustRunner is NewRunner for targets whose values the test sets.
func mustRunner(t testing.TB, targets []*Target, opts RunnerOptions) *Runner {
	t.Helper()
	r, err := NewRunner(targets, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}
