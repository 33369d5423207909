package haproxycfg

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

const randomConfig = `global
    crt-base PKIDIR
defaults
    mode http
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend fe
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
	mk := func() (anyGroup, p256, cfg string) {
		anyGroup, p256 = loopback.FreeAddr(t), loopback.FreeAddr(t)
		cfg = strings.NewReplacer("PKIDIR", pki.Dir, "ANY", anyGroup, "P256", p256).Replace(randomConfig)
		return
	}
	haAny, haP256, cfg := mk()
	difftest.StartHAProxy(t, cfg, haAny)
	goAny, goP256, cfg := mk()
	runPlan(t, cfg)
	loopback.WaitListen(t, goAny)

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
		var keylog bytes.Buffer
		c := tls.Client(sc, &tls.Config{RootCAs: pki.CA, ServerName: "a.example.test", MaxVersion: maxVer, KeyLogWriter: &keylog})
		if err := c.Handshake(); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		f := strings.Fields(keylog.String()) // "<label> <client random> <secret>"
		if len(f) < 2 {
			t.Fatalf("no key log: %q", keylog.String())
		}
		sh := tlsconf.HelloRandom{Server: true}
		sh.Feed(sc.in.Bytes())
		return string(b), fmt.Sprintf("%s %s 0 <>", strings.ToUpper(f[1]), strings.ToUpper(hex.EncodeToString(sh.Random))),
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
