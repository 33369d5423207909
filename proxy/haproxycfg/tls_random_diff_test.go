package haproxycfg

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

const randomConfig = crtBaseHead + `frontend fe
    bind ANY ssl crt srv.pem
    bind P256 ssl crt srv.pem curves P-256
    http-request return status 200 content-type text/plain lf-string "%[ssl_fc_client_random,hex] %[ssl_fc_server_random,hex] %[ssl_fc_err] <%[ssl_fc_err_str]>"
`

// sniffConn records what a TLS client reads, for the ServerHello.
type sniffConn struct {
	net.Conn
	in bytes.Buffer
}

func (c *sniffConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Write(p[:n])
	return n, err
}

// TestTLSRandomsDifferential: ssl_fc_client_random and
// ssl_fc_server_random are the randoms of the hellos the client saw (its
// own, from its key log; the server's from the ServerHello it read, not
// a HelloRetryRequest's), through HAProxy 2.6 and goha alike, in TLS 1.2,
// TLS 1.3, and TLS 1.3 after a HelloRetryRequest (a bind whose only
// group is not the client's first key share).
func TestTLSRandomsDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	ha, goha := startTemplatedAddrs(t, randomConfig, []string{"ANY", "P256"}, "PKIDIR", pki.Dir)
	haAny, haP256, goAny, goP256 := ha[0], ha[1], goha[0], goha[1]

	// ask returns what the proxy answered and what the client saw.
	hrr, _ := hex.DecodeString("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")
	ask := func(addr string, maxVer uint16) (got, want string, retried bool) {
		raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		raw.SetDeadline(time.Now().Add(3 * time.Second))
		sc := &sniffConn{Conn: raw}
		b, _, keylog, err := tlsGetOn(t, sc, &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MaxVersion: maxVer})
		if err != nil {
			t.Fatal(err)
		}
		f := strings.Fields(keylog) // "<label> <client random> <secret>"
		if len(f) < 2 {
			t.Fatalf("no key log: %q", keylog)
		}
		sh := tlsconf.HelloRandom{Server: true}
		sh.Feed(sc.in.Bytes())
		return b, fmt.Sprintf("%s %s 0 <>", strings.ToUpper(f[1]), strings.ToUpper(hex.EncodeToString(sh.Random))),
			bytes.Contains(sc.in.Bytes(), hrr)
	}
	for _, c := range []struct {
		name         string
		ha, goha     string
		ver          uint16
		helloRetried bool
	}{
		{"TLS 1.2", haAny, goAny, tls.VersionTLS12, false},
		{"TLS 1.3", haAny, goAny, tls.VersionTLS13, false},
		{"TLS 1.3 after a HelloRetryRequest", haP256, goP256, tls.VersionTLS13, true},
	} {
		hg, hw, hr := ask(c.ha, c.ver)
		gg, gw, gr := ask(c.goha, c.ver)
		t.Logf("%s: haproxy %s (client saw %s)", c.name, hg, hw)
		if hr != c.helloRetried || gr != c.helloRetried {
			t.Errorf("%s: HelloRetryRequest from haproxy %v, goha %v, want %v", c.name, hr, gr, c.helloRetried)
		}
		if hg != hw {
			t.Errorf("%s: haproxy answered %q, the client saw %q", c.name, hg, hw)
		}
		if gg != gw {
			t.Errorf("%s: goha answered %q, the client saw %q", c.name, gg, gw)
		}
	}
}

const randomBackendConfig = httpDefaults2s + `frontend fe
    bind BIND
    use_backend %[path,field(2,/)]
    http-response set-header X-Bc-Randoms "%[ssl_bc_client_random,hex] %[ssl_bc_server_random,hex]"
backend h1
    server s1 SRV ssl verify none
backend h1p256
    server s1 SRVP256 ssl verify none
backend h2
    server s1 SRV ssl verify none alpn h2
`

// helloSniff keeps the randoms of the hellos a TLS server reads and
// writes.
type helloSniff struct {
	net.Conn
	in, out tlsconf.HelloRandom
}

func (c *helloSniff) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Feed(p[:n])
	return n, err
}

func (c *helloSniff) Write(p []byte) (int, error) {
	c.out.Feed(p)
	return c.Conn.Write(p)
}

type sniffListener struct{ net.Listener }

func (l sniffListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &helloSniff{Conn: c, out: tlsconf.HelloRandom{Server: true}}, nil
}

type sniffKey struct{}

// startRandomsWeb is a TLS server (HTTP/1.1 and h2) answering each
// request with the randoms of its connection's hellos as it saw them;
// p256: its only group is P-256, which makes clients that offer X25519
// first go through a HelloRetryRequest.
func startRandomsWeb(t *testing.T, crt string, p256 bool) string {
	cert := pemCert(t, crt)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}}
	if p256 {
		cfg.CurvePreferences = []tls.CurveID{tls.CurveP256}
	}
	srv := &http.Server{TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0),
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			sn := r.Context().Value(sniffKey{}).(*helloSniff)
			fmt.Fprintf(w, "%X %X", sn.in.Random, sn.out.Random)
		}),
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, sniffKey{}, c.(*tls.Conn).NetConn().(*helloSniff))
		}}
	ln := loopback.Listen(t)
	go srv.Serve(tls.NewListener(sniffListener{ln}, cfg))
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestTLSBackendRandomsDifferential: ssl_bc_client_random and
// ssl_bc_server_random in http-response rules are the randoms of the
// hellos the server saw on the connection the response came on, through
// HAProxy 2.6 and goha alike: HTTP/1.1, HTTP/2 (alpn h2), and to a
// server whose only group is P-256.
func TestTLSBackendRandomsDifferential(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	pki := newFetchPKI(t)
	crt := pki.Dir + "/srv.pem"
	srv, srvP256 := startRandomsWeb(t, crt, false), startRandomsWeb(t, crt, true)
	haBind, goBind := startTemplated(t, randomBackendConfig, "BIND", "SRVP256", srvP256, "SRV", srv)
	for _, be := range []string{"h1", "h1p256", "h2"} {
		for _, d := range []struct{ name, addr string }{{"haproxy", haBind}, {"goha", goBind}} {
			resp, err := (&http.Client{Timeout: 3 * time.Second}).Get("http://" + d.addr + "/" + be)
			if err != nil {
				t.Fatalf("%s %s: %v", d.name, be, err)
			}
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			got := resp.Header.Get("X-Bc-Randoms")
			t.Logf("%s %s: %s (server saw %s)", d.name, be, got, b)
			if len(got) != 129 || got != string(b) {
				t.Errorf("%s %s: ssl_bc randoms %q, the server saw %q", d.name, be, got, b)
			}
		}
	}
}
