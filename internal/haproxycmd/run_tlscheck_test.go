package haproxycmd

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// httpsServer answers every request 200 over TLS with a throw-away
// certificate.
func httpsServer(t *testing.T) string {
	t.Helper()
	ln := tls.NewListener(loopback.Listen(t), &tls.Config{Certificates: []tls.Certificate{throwawayCert(t)}})
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
// speak TLS; no-check-ssl (after check-ssl, the line's or a
// default-server's, or on an ssl server) makes them clear.
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
	backends := []checkBackend{
		{"checkssl", "", https + " check check-ssl verify none"},
		{"sslsrv", "", https + " ssl verify none check"},
		{"httpchk", "option httpchk GET /", https + " ssl verify none check"},
		{"badca", "", https + " ssl verify required ca-file " + caFile + " check"},
		{"notls", "", clear + " check check-ssl verify none"},
		{"nocheckssl", "", https + " ssl verify none check no-check-ssl"},
		{"checksslundone", "", https + " check check-ssl verify none no-check-ssl"},
		{"defaultcheckssl", "default-server check-ssl verify none", https + " check no-check-ssl"},
	}
	sameCheckStats(t, haproxyBin, httpCheckDefaults, backends, 900*time.Millisecond, false)
}
