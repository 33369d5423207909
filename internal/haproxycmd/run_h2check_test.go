package haproxycmd

import (
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// h2Server serves HTTP/2 only (h2c with prior knowledge, or TLS with
// ALPN h2): /health answers 200 "ok", anything else 503.
func h2Server(t *testing.T, useTLS bool) string {
	t.Helper()
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/health" || r.ProtoMajor != 2 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, "ok")
	}), ErrorLog: log.New(io.Discard, "", 0)}
	var p http.Protocols
	if !useTLS {
		p.SetUnencryptedHTTP2(true)
		srv.Protocols = &p
		go srv.Serve(ln)
	} else {
		p.SetHTTP2(true)
		srv.Protocols = &p
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{throwawayCert(t)}}
		go srv.ServeTLS(ln, "", "")
	}
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// TestH2ChecksShowStatMatchHAProxy: HTTP checks of HTTP/2 servers (proto
// h2, and alpn h2 over TLS) give the same status, check_status,
// check_code and check_desc in `show stat` as HAProxy 2.6: passing,
// failing on the status and on the content; a server's alpn h2 is not
// the checks' (they speak HTTP/1.1 without ALPN), check-proto h2 and
// check-alpn h2 are.
func TestH2ChecksShowStatMatchHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	h2c, h2s := h2Server(t, false), h2Server(t, true)
	backends := []checkBackend{
		{"h2c", "option httpchk GET /health", h2c + " proto h2 check"},
		{"h2cstatus", "option httpchk GET /down", h2c + " proto h2 check"},
		{"h2ccontent", "option httpchk GET /health\n    http-check expect string nope", h2c + " proto h2 check"},
		{"h2cbody", "option httpchk\n    http-check send meth POST uri /health hdr host x body hello", h2c + " proto h2 check"},
		{"alpn", "option httpchk GET /health", h2s + " ssl verify none alpn h2 check"},
		{"alpnfail", "option httpchk GET /down", h2s + " ssl verify none alpn h2,http/1.1 check"},
		{"checkproto", "option httpchk GET /health", h2c + " check check-proto h2"},
		{"checkalpn", "option httpchk GET /health", h2s + " ssl verify none alpn h2 check check-alpn h2"},
		{"checkalpnfail", "option httpchk GET /down", h2s + " ssl verify none check check-alpn h2,http/1.1"},
		{"checksslalpn", "option httpchk GET /health", h2s + " check check-ssl verify none check-alpn h2"},
	}
	sameCheckStats(t, haproxyBin, httpCheckDefaults, backends, 900*time.Millisecond, false)
}
