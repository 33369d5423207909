package haproxycmd

import (
	"io"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestHTTPCheckLastChkMatchesHAProxy: `show stat` of HTTP checks beside
// HAProxy 2.6, last_chk included: a passed check keeps no detail (an
// empty last_chk, not the reason phrase), nor does disable-on-404's
// conditional pass (L7OKC), nor a passed `http-check expect` or a plain
// connect check; a failed one shows the reason phrase.
func TestHTTPCheckLastChkMatchesHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			io.WriteString(w, "ok")
		case "/gone":
			w.WriteHeader(404)
		default:
			w.WriteHeader(503)
		}
	}), ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	web := ln.Addr().String()
	backends := []checkBackend{
		{"pass", "option httpchk GET /ok", web + " check"},
		{"gone404", "option httpchk GET /gone\n    http-check disable-on-404", web + " check"},
		{"expect", "option httpchk GET /ok\n    http-check expect status 200", web + " check"},
		{"connect", "balance roundrobin", web + " check"},
		{"fail", "option httpchk GET /down", web + " check"},
	}
	sameCheckStats(t, haproxyBin, httpCheckDefaults, backends, 900*time.Millisecond, true)
}
