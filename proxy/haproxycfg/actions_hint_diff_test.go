package haproxycfg

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// TestEarlyHintDifferential: http-request early-hint sends one 103 per
// rule run to an HTTP/1.1 client (none to HTTP/1.0), %[...] values
// included, before the rules' own answer or the server's; client bytes
// and log lines beside HAProxy 2.6.
func TestEarlyHintDifferential(t *testing.T) {
	w := webs3(t)
	cfg := httplogFrontend + `    http-request early-hint Link "</a.css>; rel=preload" if { path_beg /e }
    http-request early-hint link "<%[path]>; rel=preload" if { path_beg /e }
    http-request early-hint x-no 1 if { path /nothing }
    http-request set-header x-a 1
    http-request early-hint link "</last>" if { path_beg /e }
    http-request return status 200 content-type text/plain string ok if { path /e/r }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, raw := range []string{
		"GET /e/r HTTP/1.1\r\nHost: h\r\n\r\nGET /e/r HTTP/1.0\r\n\r\n",
		"GET /e/s HTTP/1.1\r\nHost: h\r\n\r\nGET /plain HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
		if bytes.Count(want, []byte("HTTP/1.1 103 Early Hints\r\n")) != 3 {
			t.Errorf("haproxy answered %q, want three 103s", want)
		}
		sameLoggedLines(t, fmt.Sprintf("%q", raw), haLog, goLog, 2)
	}
}
