package haproxycmd

import (
	"io"
	"log"
	"net/http"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/socks4test"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestCheckViaSocks4MatchesHAProxy: HTTP health checks of servers with
// `socks4 ... check-via-socks4` beside HAProxy 2.6 (`show stat`, last_chk
// included): through a proxy that grants, the check passes; one that
// refuses or closes is a socket error with HAProxy's connection error
// text; a silent one a layer-7 timeout; without check-via-socks4 the
// check goes to the server directly, past a refusing proxy. The proxies
// must have seen the checks' requests.
func TestCheckViaSocks4MatchesHAProxy(t *testing.T) {
	haproxyBin := testenv.LookPath(t, "haproxy")
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
		ErrorLog: log.New(io.Discard, "", 0)}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	web := ln.Addr().String()
	proxies := map[string]*socks4test.Proxy{}
	var backends []checkBackend
	for _, mode := range []string{"grant", "refuse", "close", "silent"} {
		p := socks4test.Start(t, mode)
		proxies[mode] = p
		backends = append(backends, checkBackend{mode, "option httpchk GET /", web + " check socks4 " + p.Addr + " check-via-socks4"})
	}
	direct := socks4test.Start(t, "refuse")
	backends = append(backends, checkBackend{"direct", "option httpchk GET /", web + " check socks4 " + direct.Addr})
	sameCheckStats(t, haproxyBin, httpCheckDefaults, backends, 900*time.Millisecond, true)
	for mode, p := range proxies {
		if len(p.Take()) < 2 {
			t.Errorf("%s: the SOCKS4 proxy saw fewer than one check from each daemon", mode)
		}
	}
	if n := len(direct.Take()); n != 0 {
		t.Errorf("without check-via-socks4, %d checks went through the proxy", n)
	}
}
