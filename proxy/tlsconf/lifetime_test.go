package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"testing"
	"time"
)

// lifetimePair is a server configuration (ECDSA P-256 certificate) and a
// client one with a session cache.
func lifetimePair(t testing.TB) (*tls.Config, *tls.Config) {
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "l.test"}, DNSNames: []string{"l.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	srv := &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: k}}}
	cli := &tls.Config{InsecureSkipVerify: true, ServerName: "l.test", ClientSessionCache: tls.NewLRUClientSessionCache(4)}
	return srv, cli
}

// resumeOnce runs one handshake over loopback TCP and says whether it
// resumed.
func resumeOnce(t testing.TB, srv, cli *tls.Config) bool {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	a, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	done := make(chan error, 1)
	s := tls.Server(a, srv)
	go func() {
		err := s.Handshake()
		if err == nil {
			// TLS 1.3 tickets follow the handshake: let the client read them
			_, err = s.Write([]byte{1})
		}
		done <- err
	}()
	c := tls.Client(b, cli)
	if err := c.Handshake(); err != nil {
		t.Fatal(err)
	}
	c.Read(make([]byte, 1))
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return c.ConnectionState().DidResume
}

// TestSessionLifetime: a session resumes within the lifetime, not past it
// (whole seconds, as OpenSSL), in TLS 1.2 and 1.3; sessionCreated reads
// crypto/tls's encoding of this Go version.
func TestSessionLifetime(t *testing.T) {
	for _, v := range []uint16{tls.VersionTLS12, tls.VersionTLS13} {
		srv, cli := lifetimePair(t)
		srv.MaxVersion = v
		sessionLifetime(srv, time.Hour)
		if resumeOnce(t, srv, cli) {
			t.Fatalf("%x: first handshake resumed", v)
		}
		if !resumeOnce(t, srv, cli) {
			t.Errorf("%x: not resumed within the lifetime", v)
		}
		sessionLifetime(srv, time.Nanosecond) // 0 s: expired from the next second
		time.Sleep(time.Until(time.Now().Truncate(time.Second).Add(1100 * time.Millisecond)))
		if resumeOnce(t, srv, cli) {
			t.Errorf("%x: resumed past the lifetime", v)
		}
	}
	now := time.Unix(1000, 900e6)
	for _, c := range []struct {
		created time.Time
		want    bool
	}{{time.Unix(998, 0), false}, {time.Unix(997, 999e6), true}} {
		if got := expired(c.created, now, 2*time.Second); got != c.want {
			t.Errorf("created %v, now %v, 2 s: expired %v", c.created, now, got)
		}
	}
}

// BenchmarkTicketOpen: opening a resumed session's ticket with the
// lifetime check (lifetime.go UnwrapSession) beside crypto/tls's own
// DecryptTicket, which it replaces on every resumption, in one run: the
// check's cost per resumed handshake (a whole resumed handshake costs
// about 0.6 ms of CPU, README).
func BenchmarkTicketOpen(b *testing.B) {
	srv, cli := lifetimePair(b)
	srv.MaxVersion = tls.VersionTLS12
	var ticket []byte
	var cs tls.ConnectionState
	sessionLifetime(srv, 0)
	seal := srv.WrapSession
	srv.WrapSession = func(c tls.ConnectionState, ss *tls.SessionState) ([]byte, error) {
		t, err := seal(c, ss)
		ticket, cs = t, c
		return t, err
	}
	resumeOnce(b, srv, cli)
	for _, name := range []string{"DecryptTicket", "UnwrapSession"} {
		open := srv.DecryptTicket
		if name == "UnwrapSession" {
			open = srv.UnwrapSession
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if ss, err := open(ticket, cs); ss == nil || err != nil {
					b.Fatal("ticket not opened", err)
				}
			}
		})
	}
}
