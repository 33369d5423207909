package haproxycfg

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// tlsDiffConfig serves the test PKI on five TLS binds: B1 all three
// certificates (SNI), B2 TLS 1.2 only with two ciphers, B3 no-tlsv12
// (TLS 1.3 only), B4 force-tlsv12, B5 tcp mode over TLS, B6
// no-tls-tickets, B7 and B8 client certificates required and optional, B9
// strict-sni. Every HTTP
// request must see ssl_fc true.
const tlsDiffConfig = `global
    crt-base PKIDIR
    ca-base PKIDIR
    ssl-default-bind-options no-sslv3
defaults
    timeout connect 2s
    timeout client 2s
    timeout server 2s
frontend fe
    mode http
    bind B1 ssl crt a.pem crt b.pem crt dir alpn http/1.1
    bind B2 ssl crt a.pem crt b.pem ssl-min-ver TLSv1.2 ssl-max-ver TLSv1.2 ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256
    bind B3 ssl crt a.pem no-tlsv12
    bind B4 ssl crt a.pem force-tlsv12
    bind B6 ssl crt a.pem no-tls-tickets
    bind B7 ssl crt a.pem verify required ca-file ca.pem
    bind B8 ssl crt a.pem verify optional ca-file ca.pem
    bind B9 ssl crt a.pem crt dir strict-sni
    http-request deny unless { ssl_fc }
    http-request return status 200 content-type text/plain string sni-a if { path /sni } { ssl_fc_sni -i a.example.test }
    http-request return status 200 content-type text/plain string tls12 if { path /proto } { ssl_fc_protocol TLSv1.2 }
    http-request return status 200 content-type text/plain string tls13 if { path /proto } { ssl_fc_protocol TLSv1.3 }
    default_backend be
backend be
    mode http
    server s1 WEB
frontend fe_tcp
    mode tcp
    bind B5 ssl crt b.pem
    default_backend be_tcp
backend be_tcp
    mode tcp
    server s1 WEB
`

type tlsSide struct{ b [10]string }

func startTLSBoth(t *testing.T) (pki testPKI, ha, goha tlsSide) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	pki = newTestPKI(t)
	web := loopback.StartWeb(t, "web").Addr
	mk := func() (s tlsSide, cfg string) {
		cfg = strings.NewReplacer("PKIDIR", pki.Dir, "WEB", web).Replace(tlsDiffConfig)
		for i := 1; i <= 9; i++ {
			s.b[i] = loopback.FreeAddr(t)
			cfg = strings.Replace(cfg, fmt.Sprintf("B%d ", i), s.b[i]+" ", 1)
		}
		return s, cfg
	}
	var cfg string
	ha, cfg = mk()
	difftest.StartHAProxy(t, cfg, ha.b[1])
	goha, cfg = mk()
	runPlan(t, cfg)
	return pki, ha, goha
}

// curlHTTPS fetches https://name:port/ with the test CA; it returns the
// status and body, or the curl failure.
func curlHTTPS(t *testing.T, pki testPKI, addr, name string, extra ...string) string {
	t.Helper()
	_, port, _ := net.SplitHostPort(addr)
	path := "/p"
	if len(extra) > 0 {
		path, extra = extra[0], extra[1:]
	}
	args := append([]string{"-sS", "--max-time", "5", "--resolve", name + ":" + port + ":127.0.0.1", "--cacert", pki.CA,
		"-w", "\n%{http_code}", "https://" + name + ":" + port + path}, extra...)
	out, err := exec.Command("curl", args...).CombinedOutput()
	if err != nil {
		return "curl failed: " + strings.TrimSpace(string(out))
	}
	return string(out)
}

// peerCN is the subject CN of the certificate served for SNI name ("" =
// no SNI).
func peerCN(t *testing.T, addr, name string) string {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 3 * time.Second}, "tcp", addr, &tls.Config{ServerName: name, InsecureSkipVerify: true})
	if err != nil {
		return "error: " + err.Error()
	}
	defer c.Close()
	return c.ConnectionState().PeerCertificates[0].Subject.CommonName
}

// sClient runs openssl s_client with args and reports whether the
// handshake succeeded, with the protocol and cipher it agreed.
func sClient(t *testing.T, addr string, args ...string) string {
	t.Helper()
	out, err := sClientOut(addr, "", append([]string{"-servername", "a.example.test"}, args...)...)
	if err != nil {
		return "refused"
	}
	// "New, TLSv1.3, Cipher is TLS_AES_256_GCM_SHA384": printed once the
	// handshake is done (the SSL-Session block of TLS 1.3 waits for a
	// ticket, which may come after s_client quits).
	for _, l := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(l, "New, "); ok {
			proto, cipher, _ := strings.Cut(v, ", Cipher is ")
			if proto == "(NONE)" {
				return "refused"
			}
			return proto + " " + cipher
		}
	}
	return "no handshake line"
}

// TestTLSDifferential runs the same TLS configuration on HAProxy 2.6 and
// on goha and compares what clients get: curl over HTTPS (status, body,
// certificate verification by name), the certificate chosen per SNI name,
// the protocol versions and ciphers s_client is allowed, and tcp mode over
// TLS.
func TestTLSDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "curl")
	testenv.LookPath(t, "openssl")
	pki, ha, goha := startTLSBoth(t)
	for _, name := range []string{"a.example.test", "b.example.test", "x.w.example.test"} {
		want, got := curlHTTPS(t, pki, ha.b[1], name), curlHTTPS(t, pki, goha.b[1], name)
		if want != "web\n\n200" {
			t.Fatalf("haproxy: curl %s = %q", name, want)
		}
		if got != want {
			t.Errorf("curl %s: goha %q, haproxy %q", name, got, want)
		}
	}
	// ssl_fc_sni and ssl_fc_protocol in rules.
	for _, c := range [][]string{{"a.example.test", "/sni"}, {"b.example.test", "/sni"}, {"a.example.test", "/proto", "--tls-max", "1.2"}, {"a.example.test", "/proto"}} {
		want, got := curlHTTPS(t, pki, ha.b[1], c[0], c[1:]...), curlHTTPS(t, pki, goha.b[1], c[0], c[1:]...)
		if got != want {
			t.Errorf("curl %v: goha %q, haproxy %q", c, got, want)
		}
		t.Logf("curl %v: %q", c, want)
	}
	// tcp mode over TLS: the request goes through as bytes.
	if want, got := curlHTTPS(t, pki, ha.b[5], "b.example.test"), curlHTTPS(t, pki, goha.b[5], "b.example.test"); got != want || want != "web\n\n200" {
		t.Errorf("tcp mode: goha %q, haproxy %q", got, want)
	}
	for _, b := range []int{1, 9} {
		for _, name := range []string{"", "a.example.test", "B.Example.Test", "b.example.test", "x.w.example.test", "y.x.w.example.test", "w.example.test", "other.test"} {
			want, got := peerCN(t, ha.b[b], name), peerCN(t, goha.b[b], name)
			if strings.HasPrefix(want, "error") && strings.HasPrefix(got, "error") {
				want, got = "refused", "refused" // the alerts' wording differs
			}
			if got != want {
				t.Errorf("bind %d SNI %q: goha serves %q, haproxy %q", b, name, got, want)
			}
			t.Logf("bind %d SNI %q: %s", b, name, want)
		}
	}
	cases := []struct {
		bind int
		args []string
	}{
		{1, []string{"-tls1_1"}}, {1, []string{"-tls1_2"}}, {1, []string{"-tls1_3"}},
		{2, []string{"-tls1_1"}}, {2, []string{"-tls1_3"}},
		{2, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"}},
		{2, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-GCM-SHA384"}},
		{2, []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"}},
		{3, []string{"-tls1_2"}}, {3, []string{"-tls1_3"}},
		{4, []string{"-tls1_2"}}, {4, []string{"-tls1_3"}},
	}
	for _, c := range cases {
		want, got := sClient(t, ha.b[c.bind], c.args...), sClient(t, goha.b[c.bind], c.args...)
		if len(c.args) == 1 {
			// The client offers every cipher: OpenSSL picks in the
			// server's order, Go by its own preference (AES-128 first);
			// the protocol must agree, the cipher may differ.
			want, _, _ = strings.Cut(want, " ")
			got, _, _ = strings.Cut(got, " ")
		}
		if got != want {
			t.Errorf("bind %d s_client %v: goha %q, haproxy %q", c.bind, c.args, got, want)
		}
		t.Logf("bind %d s_client %v: %s", c.bind, c.args, want)
	}
}

// sClientTicket says whether a TLS 1.2 handshake gets a session ticket.
func sClientTicket(t *testing.T, addr string) bool {
	t.Helper()
	out, _ := sClientOut(addr, "", "-tls1_2")
	return strings.Contains(out, "TLS session ticket:")
}

// TestTLSTickets: session tickets by default, none with no-tls-tickets.
func TestTLSTickets(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "openssl")
	_, ha, goha := startTLSBoth(t)
	for _, b := range []int{1, 6} {
		want, got := sClientTicket(t, ha.b[b]), sClientTicket(t, goha.b[b])
		if got != want || want != (b == 1) {
			t.Errorf("bind %d: ticket goha %v, haproxy %v", b, got, want)
		}
	}
}

// TestTLSClientCertificates: verify required/optional with ca-file, with
// no client certificate, the CA's, and an untrusted one.
func TestTLSClientCertificates(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "curl")
	pki, ha, goha := startTLSBoth(t)
	outcome := func(addr string, cert string) string {
		var extra []string
		if cert != "" {
			extra = []string{"/p", "--cert", filepath.Join(pki.Dir, cert)}
		}
		r := curlHTTPS(t, pki, addr, "a.example.test", extra...)
		if strings.HasPrefix(r, "curl failed") {
			return "refused"
		}
		return r
	}
	for _, b := range []int{7, 8} {
		for _, cert := range []string{"", "client.pem", "stranger.pem"} {
			want, got := outcome(ha.b[b], cert), outcome(goha.b[b], cert)
			if got != want {
				t.Errorf("bind %d cert %q: goha %q, haproxy %q", b, cert, got, want)
			}
			t.Logf("bind %d cert %q: %q", b, cert, want)
		}
	}
}

// TestTLSMalformed sends what is not a TLS handshake to both: each closes
// the connection (never a crash, never a hang past the client timeout).
func TestTLSMalformed(t *testing.T) {
	t.Parallel()
	_, ha, goha := startTLSBoth(t)
	inputs := map[string][]byte{
		"plain HTTP":            []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
		"garbage":               bytes.Repeat([]byte{0xff, 0x00, 0x13}, 200),
		"truncated ClientHello": {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc, 0x03, 0x03},
		"oversized record":      {0x16, 0x03, 0x01, 0xff, 0xff, 0x01},
		"empty":                 {},
	}
	for name, in := range inputs {
		for side, addr := range map[string]string{"haproxy": ha.b[1], "goha": goha.b[1]} {
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			c.Write(in)
			start := time.Now()
			c.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, err = io.Copy(io.Discard, c)
			c.Close()
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Errorf("%s: %s kept the connection open", name, side)
			}
			t.Logf("%s: %s closed after %v", name, side, time.Since(start).Round(time.Millisecond))
		}
	}
	// Still serving afterwards.
	if cn := peerCN(t, goha.b[1], "b.example.test"); cn != "b.example.test" {
		t.Errorf("after malformed input goha serves %q", cn)
	}
}

// TestTLSLogFields: a transaction over TLS hands the log its protocol and
// cipher in OpenSSL's names (%sslv, %sslc), one in clear text none.
func TestTLSLogFields(t *testing.T) {
	pki := newTestPKI(t)
	web := loopback.StartWeb(t, "web").Addr
	tlsAddr, clearAddr := loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg := strings.NewReplacer("PKIDIR", pki.Dir, "WEB", web, "B1", tlsAddr, "B2", clearAddr).Replace(crtBaseHead + `frontend fe
    bind B1 ssl crt a.pem
    bind B2
    default_backend be
backend be
    server s1 WEB
`)
	res := haproxy.CheckBytes("tls.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		t.Fatalf("config exit %d: %+v", res.Exit, res.Diags.List)
	}
	logged := make(chan [2]string, 4)
	px, err := proxy.New(Build(res.Config).Proxy, proxy.Options{
		Logs: func(string) bool { return true },
		Log:  func(e *proxy.LogEntry) { logged <- [2]string{e.SSLVersion, e.SSLCipher} },
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := px.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { px.Shutdown(t.Context()) })

	c, err := tls.Dial("tcp", tlsAddr, &tls.Config{InsecureSkipVerify: true, MaxVersion: tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384}})
	if err != nil {
		t.Fatal(err)
	}
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	io.ReadAll(c)
	c.Close()
	if got := <-logged; got != [2]string{"TLSv1.2", "ECDHE-ECDSA-AES256-GCM-SHA384"} {
		t.Errorf("TLS transaction logged %q", got)
	}
	if body := loopback.Get(t, clearAddr); body == "" {
		t.Fatal("clear bind answered nothing")
	}
	if got := <-logged; got != [2]string{"", ""} {
		t.Errorf("clear transaction logged %q", got)
	}
}
