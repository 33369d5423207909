package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestSetTimeoutServerDifferential: http-request set-timeout server (in
// a listen, and in a backend a frontend routes to: HAProxy refuses it in
// a frontend) replaces timeout server for the transaction: a server
// slower than it gets the 504 and an sH log line, in both proxies; the
// next transaction on the connection has the backend's timeout again.
func TestSetTimeoutServerDifferential(t *testing.T) {
	t.Parallel()
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/slow") {
			time.Sleep(400 * time.Millisecond)
		}
		rw.Header().Set("Date", "fixed")
		io.WriteString(rw, "done "+r.URL.Path+"\n")
	})
	for _, section := range []string{"listen fe\n    bind BIND\n", "frontend fe\n    bind BIND\n    default_backend be\nbackend be\n"} {
		setTimeoutServer(t, section, origin)
	}
}

func setTimeoutServer(t *testing.T, section, server string) {
	cfg := httpLogHead + section + `    timeout server 2s
    http-request set-timeout server 150ms if { path_beg /slow/short }
    http-request set-timeout server 3s if { path /slow/long }
    server w1 ` + server + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, raw := range []string{
		"GET /slow/short HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /slow/long HTTP/1.1\r\nHost: h\r\n\r\nGET /slow HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, time.Second)
		if strings.HasPrefix(raw, "GET /slow/short") && !bytes.HasPrefix(want, []byte("HTTP/1.1 504 ")) {
			t.Errorf("haproxy answered %q, want a 504", want)
		}
		sameLoggedLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 0)
	}
}
