package haproxycfg

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// startTLSWeb serves HTTPS with certFile (chain and key in one PEM) on
// 127.0.0.1; each answer tells what the TLS session carried: the SNI, the
// client certificate's CN and the protocol.
func startTLSWeb(t *testing.T, certFile string) string {
	t.Helper()
	cert := pemCert(t, certFile)
	ln := loopback.Listen(t)
	cfg := &tls.Config{Certificates: []tls.Certificate{cert}, ClientAuth: tls.RequestClientCert}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		cn := "-"
		if len(r.TLS.PeerCertificates) > 0 {
			cn = r.TLS.PeerCertificates[0].Subject.CommonName
		}
		hdrs := []string{}
		for k := range r.Header {
			if strings.HasPrefix(k, "X-Ssl") {
				hdrs = append(hdrs, k+"="+r.Header.Get(k))
			}
		}
		sort.Strings(hdrs)
		fmt.Fprintf(w, "sni=%s cn=%s alpn=%s resumed=%v %s\n", r.TLS.ServerName, cn, r.TLS.NegotiatedProtocol, r.TLS.DidResume, strings.Join(hdrs, " "))
	}), TLSConfig: cfg, ErrorLog: log.New(io.Discard, "", 0)}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// writeOtherCA writes a CA that signed nothing the tests serve.
func writeOtherCA(t *testing.T, dir string) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(99), Subject: pkix.Name{CommonName: "other CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "other-ca.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
}

const serverTLSConfig = `global
    ca-base PKIDIR
    crt-base PKIDIR
    log LOGADDR local0
defaults
    mode http
    log global
    log-format "%ST %ts %b/%s"
    timeout connect 300ms
    timeout client 2s
    timeout server 2s
    retries 1
frontend fe
    bind FE
    use_backend ok if { path_beg /ok/ }
    use_backend hostsni if { path_beg /hostsni/ }
    use_backend noname if { path_beg /noname/ }
    use_backend verifyhost if { path_beg /verifyhost/ }
    use_backend vhostok if { path_beg /vhostok/ }
    use_backend wrongca if { path_beg /wrongca/ }
    use_backend wrongname if { path_beg /wrongname/ }
    use_backend wronghost if { path_beg /wronghost/ }
    use_backend none if { path_beg /none/ }
    use_backend crt if { path_beg /crt/ }
    use_backend tls12 if { path_beg /tls12/ }
    use_backend reuse if { path_beg /reuse/ }
    use_backend noreuse if { path_beg /noreuse/ }
    use_backend clear if { path_beg /clear/ }
backend ok
    server s1 TLSWEB ssl verify required ca-file ca.pem sni str(a.example.test)
backend hostsni
    server s1 TLSWEB ssl verify required ca-file ca.pem sni req.hdr(host)
backend noname
    server s1 TLSWEB ssl verify required ca-file ca.pem
backend verifyhost
    server s1 TLSWEB ssl verify required ca-file ca.pem sni str(x.example.test) verifyhost a.example.test
backend vhostok
    server s1 TLSWEB ssl verify required ca-file ca.pem verifyhost a.example.test
backend wrongca
    server s1 TLSWEB ssl verify required ca-file other-ca.pem sni str(a.example.test)
backend wrongname
    server s1 TLSWEB ssl verify required ca-file ca.pem sni str(wrong.example.test)
backend wronghost
    server s1 TLSWEB ssl verify required ca-file ca.pem verifyhost b.example.test
backend none
    server s1 TLSWEB ssl verify none
backend crt
    server s1 TLSWEB ssl verify none crt client.pem alpn http/1.1
backend tls12
    server s1 TLSWEB ssl verify none ssl-max-ver TLSv1.2 no-ssl-reuse
backend reuse
    option httpclose
    server s1 TLSWEB ssl verify none
backend noreuse
    option httpclose
    server s1 TLSWEB ssl verify none no-ssl-reuse
backend clear
    server s1 TLSWEB
`

// TestServerTLSDifferential: the same requests through HAProxy 2.6 and
// goha to a Go HTTPS server: what the server saw of the TLS session (SNI,
// client certificate, ALPN), and, when verification fails (wrong CA, a
// name that does not match the SNI or verifyhost), the same 503 and log
// line.
func TestServerTLSDifferential(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	pki := newTestPKI(t)
	writeOtherCA(t, pki.Dir)
	web := startTLSWeb(t, filepath.Join(pki.Dir, "a.pem"))
	paths := []string{"/ok/", "/hostsni/", "/noname/", "/verifyhost/", "/vhostok/", "/wrongca/", "/wrongname/", "/wronghost/", "/none/", "/crt/", "/tls12/", "/reuse/", "/reuse/", "/noreuse/", "/noreuse/", "/clear/"}

	haLogs := loopback.ListenUDP(t)
	haFE := loopback.FreeAddr(t)
	cfg := strings.NewReplacer("PKIDIR", pki.Dir, "TLSWEB", web, "FE", haFE, "LOGADDR", haLogs.LocalAddr().String()).Replace(serverTLSConfig)
	difftest.StartHAProxy(t, cfg, haFE)
	// The start probe's own log line.
	haLogs.SetReadDeadline(time.Now().Add(time.Second))
	haLogs.Read(make([]byte, 2048))

	goFE := loopback.FreeAddr(t)
	cfg = strings.NewReplacer("PKIDIR", pki.Dir, "TLSWEB", web, "FE", goFE, "LOGADDR", haLogs.LocalAddr().String()).Replace(serverTLSConfig)
	goLogs := make(chan string, 32)
	gohaRun(t, cfg, false, func(*Plan) proxy.Options {
		return proxy.Options{
			Logs: func(string) bool { return true },
			Log: func(e *proxy.LogEntry) {
				srv := e.Server
				if srv == "" {
					srv = "<NOSRV>"
				}
				goLogs <- fmt.Sprintf("%d %s %s/%s", e.Status, e.Term[:], e.Backend, srv)
			},
		}
	})

	get := func(fe, path string) string {
		req, _ := http.NewRequest("GET", "http://"+fe+path, nil)
		req.Host = "a.example.test"
		resp, err := (&http.Client{Timeout: 5 * time.Second}).Do(req)
		if err != nil {
			return "error: " + err.Error()
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			return fmt.Sprint(resp.StatusCode)
		}
		return fmt.Sprintf("%d %s", resp.StatusCode, b)
	}
	haLine := func() string {
		haLogs.SetReadDeadline(time.Now().Add(3 * time.Second))
		buf := make([]byte, 2048)
		n, err := haLogs.Read(buf)
		if err != nil {
			return "no log: " + err.Error()
		}
		_, msg, _ := strings.Cut(string(buf[:n]), "]: ")
		return strings.TrimSpace(msg)
	}
	goLine := func() string {
		select {
		case l := <-goLogs:
			return l
		case <-time.After(3 * time.Second):
			return "no log"
		}
	}
	for _, p := range paths {
		ha, ga := get(haFE, p), get(goFE, p)
		hl, gl := haLine(), goLine()
		t.Logf("%-13s haproxy %q %q", p, ha, hl)
		if ha != ga {
			t.Errorf("%s: haproxy answered %q, goha %q", p, ha, ga)
		}
		if hl != gl {
			t.Errorf("%s: haproxy logged %q, goha %q", p, hl, gl)
		}
	}
}
