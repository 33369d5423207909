package haproxycmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// httpsServer answers every request 200 over TLS with a throw-away
// certificate.
func httpsServer(t *testing.T) string {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	ln := tls.NewListener(loopback.Listen(t), &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}})
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestTLSChecksShowStatMatchHAProxy: health checks over TLS (check-ssl,
// and a server with ssl checked on its traffic port) give the same
// status, check_status and check_desc in `show stat` as HAProxy 2.6:
// passing at layer 6 (connect only) or layer 7 (httpchk), failing at
// layer 6 when the certificate is not trusted or the server does not
// speak TLS.
func TestTLSChecksShowStatMatchHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	https, clear := httpsServer(t), lineServer(t, "hello\r\n")
	caDir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caT := &x509.Certificate{SerialNumber: big.NewInt(9), IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	caDER, _ := x509.CreateCertificate(rand.Reader, caT, caT, &key.PublicKey, key)
	caFile := filepath.Join(caDir, "ca.pem")
	os.WriteFile(caFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600)
	backends := []struct{ name, lines, server string }{
		{"checkssl", "", https + " check check-ssl verify none"},
		{"sslsrv", "", https + " ssl verify none check"},
		{"httpchk", "option httpchk GET /", https + " ssl verify none check"},
		{"badca", "", https + " ssl verify required ca-file " + caFile + " check"},
		{"notls", "", clear + " check check-ssl verify none"},
		{"nocheckssl", "", https + " ssl verify none check no-check-ssl"},
	}
	start := func(bin string) string {
		dir, bind := t.TempDir(), loopback.FreeAddr(t)
		var cfg strings.Builder
		fmt.Fprintf(&cfg, "global\n    stats socket %s/s.sock level admin\ndefaults\n    mode http\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n    timeout check 300ms\nfrontend fe\n    bind %s\n    default_backend checkssl\n", dir, bind)
		for _, b := range backends {
			fmt.Fprintf(&cfg, "backend %s\n    %s\n    server s1 %s inter 100ms\n", b.name, b.lines, b.server)
		}
		path := filepath.Join(dir, "t.cfg")
		os.WriteFile(path, []byte(cfg.String()), 0o644)
		runQuiet(t, bin, path)
		loopback.WaitListen(t, bind)
		return filepath.Join(dir, "s.sock")
	}
	haSock, goSock := start(haproxyBin), start(gohaproxy)
	time.Sleep(900 * time.Millisecond)
	cols := func(sock string) map[string]string {
		out := map[string]string{}
		for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show stat"), "\n") {
			f := strings.Split(l, ",")
			if len(f) > 65 && f[1] == "s1" {
				out[f[0]] = fmt.Sprintf("status=%s check_status=%s check_code=%s check_desc=%q", f[17], strings.TrimPrefix(f[36], "* "), f[37], f[65])
			}
		}
		return out
	}
	var problems []string
	for try := 0; try < 20; try++ {
		want, got := cols(haSock), cols(goSock)
		problems = nil
		for _, b := range backends {
			if want[b.name] == "" || want[b.name] != got[b.name] {
				problems = append(problems, fmt.Sprintf("%s:\nhaproxy %s\n   goha %s", b.name, want[b.name], got[b.name]))
			}
		}
		if len(problems) == 0 {
			for _, b := range backends {
				t.Logf("%s: %s", b.name, want[b.name])
			}
			break
		}
		time.Sleep(150 * time.Millisecond)
	}
	for _, p := range problems {
		t.Error(p)
	}
}
