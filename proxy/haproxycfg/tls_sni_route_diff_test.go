package haproxycfg

import (
	"crypto/tls"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// startNamedTLSWeb serves HTTPS with the certificates of a PEM file
// (key in it or in "<file>.key") and answers every request with name.
func startNamedTLSWeb(t *testing.T, certFile, name string) string {
	t.Helper()
	data, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatal(err)
	}
	key := data
	if k, err := os.ReadFile(certFile + ".key"); err == nil {
		key = k
	}
	cert, err := tls.X509KeyPair(data, key)
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(loopback.Listen(t), &tls.Config{Certificates: []tls.Certificate{cert}, NextProtos: []string{"h2", "http/1.1"}})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, name) }),
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

const sniRouteConfig = `defaults
    timeout connect 2s
    timeout client 3s
    timeout server 3s
frontend fe
    mode tcp
    bind FE
    tcp-request inspect-delay 2s
    tcp-request content reject if { req_ssl_sni -i evil.example.test }
    tcp-request content accept if { req_ssl_hello_type 1 }
    use_backend ba if { req_ssl_sni -i a.example.test }
    use_backend bdef if { req_ssl_sni -i ver.example.test } { req_ssl_ver 3.1:3.2 }
    use_backend bb if { req_ssl_sni -i ver.example.test } { req.ssl_ver 3.3 }
    use_backend bb if { req.ssl_sni -m end .b.example.test } || { req.ssl_sni b.example.test }
    use_backend bh2 if { req.ssl_hello_type 1 } { req.ssl_alpn h2 } { req.ssl_ec_ext }
    default_backend bdef
backend ba
    mode tcp
    server s1 WEBA
backend bb
    mode tcp
    server s1 WEBB
backend bh2
    mode tcp
    server s1 WEBH2
backend bdef
    mode tcp
    server s1 WEBDEF
`

// slowConn sends its first write in two parts 150ms apart: a ClientHello
// cut in the middle, which the content rules must wait for.
type slowConn struct {
	net.Conn
	done bool
}

func (c *slowConn) Write(p []byte) (int, error) {
	if c.done || len(p) < 8 {
		return c.Conn.Write(p)
	}
	c.done = true
	n, err := c.Conn.Write(p[:7])
	if err != nil {
		return n, err
	}
	time.Sleep(150 * time.Millisecond)
	m, err := c.Conn.Write(p[7:])
	return n + m, err
}

// TestTCPSNIRoutingDifferential: a tcp-mode frontend routes TLS by the
// ClientHello's SNI and ALPN without terminating it, beside HAProxy 2.6:
// the certificate the client gets (which backend answered the
// handshake) and the body, for names in several cases, no SNI, a
// ClientHello cut in two, a rejected name, plain HTTP, and openssl
// s_client -servername.
func TestTCPSNIRoutingDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	testenv.LookPath(t, "openssl")
	pki := newTestPKI(t)
	repl := []string{
		"WEBA", startNamedTLSWeb(t, filepath.Join(pki.Dir, "a.pem"), "backend-a"),
		"WEBB", startNamedTLSWeb(t, filepath.Join(pki.Dir, "b.pem"), "backend-b"),
		"WEBH2", startNamedTLSWeb(t, filepath.Join(pki.Dir, "dir/w.pem"), "backend-h2"),
		"WEBDEF", startNamedTLSWeb(t, filepath.Join(pki.Dir, "a.pem"), "backend-default"),
	}
	haFE, goFE := loopback.FreeAddr(t), loopback.FreeAddr(t)
	difftest.StartHAProxy(t, strings.NewReplacer(append(repl, "FE", haFE)...).Replace(sniRouteConfig), haFE)
	runPlan(t, strings.NewReplacer(append(repl, "FE", goFE)...).Replace(sniRouteConfig))

	try := func(addr, sni string, alpn []string, slow bool) string {
		raw, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			return "dial: " + err.Error()
		}
		defer raw.Close()
		raw.SetDeadline(time.Now().Add(4 * time.Second))
		var nc net.Conn = raw
		if slow {
			nc = &slowConn{Conn: raw}
		}
		c := tls.Client(nc, &tls.Config{ServerName: sni, InsecureSkipVerify: true, NextProtos: alpn})
		if err := c.Handshake(); err != nil {
			return "refused"
		}
		cn := c.ConnectionState().PeerCertificates[0].Subject.CommonName
		if p := c.ConnectionState().NegotiatedProtocol; p == "h2" {
			return cn + " h2" // not speaking h2 here: the routing is what counts
		}
		io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		b, _ := io.ReadAll(c)
		body := string(b)
		if i := strings.Index(body, "\r\n\r\n"); i >= 0 {
			body = body[i+4:]
		}
		return cn + " " + body
	}
	cases := []struct {
		sni  string
		alpn []string
		slow bool
	}{
		{"a.example.test", nil, false},
		{"A.Example.TEST", nil, false},
		{"b.example.test", nil, false},
		{"x.b.example.test", nil, false},
		{"c.example.test", nil, false},
		{"", nil, false},
		{"other.example.test", []string{"h2", "http/1.1"}, false},
		{"b.example.test", []string{"h2"}, false},
		{"a.example.test", nil, true},
		{"evil.example.test", nil, false},
		{"ver.example.test", nil, false},
	}
	for _, c := range cases {
		ha, ga := try(haFE, c.sni, c.alpn, c.slow), try(goFE, c.sni, c.alpn, c.slow)
		t.Logf("sni %q alpn %v slow %v: haproxy %q", c.sni, c.alpn, c.slow, ha)
		if ha != ga {
			t.Errorf("sni %q alpn %v slow %v: haproxy %q, goha %q", c.sni, c.alpn, c.slow, ha, ga)
		}
	}
	// Not TLS: no rule matches, the bytes reach the default server as sent.
	for _, fe := range []string{haFE, goFE} {
		got, _ := difftest.Exchange(fe, []byte("GET / HTTP/1.0\r\n\r\n"), time.Second)
		if !strings.Contains(string(got), "HTTP request to an HTTPS server") {
			t.Errorf("%s: plain HTTP got %q", fe, got)
		}
	}
	// openssl s_client -servername: the subject of the certificate served.
	for _, name := range []string{"a.example.test", "x.b.example.test", "nothing.test"} {
		var subj [2]string
		for i, fe := range []string{haFE, goFE} {
			out, _ := sClientOut(fe, "", "-servername", name)
			for _, l := range strings.Split(out, "\n") {
				if strings.HasPrefix(l, "subject=") {
					subj[i] = l
				}
			}
		}
		if subj[0] == "" || subj[0] != subj[1] {
			t.Errorf("s_client -servername %s: haproxy %q, goha %q", name, subj[0], subj[1])
		}
	}
}
