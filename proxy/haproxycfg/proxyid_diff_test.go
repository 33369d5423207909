package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestProxyIDDifferential: `id` on a frontend and a backend, and the
// numbers HAProxy 2.6 gives the other proxies around them (fe_id and
// be_id in a response header), byte for byte beside HAProxy.
func TestProxyIDDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    id 3
    http-response set-header x-ids "%[fe_id]/%[be_id]"
    use_backend b1 if { path /1 }
    use_backend b2 if { path /2 }
    use_backend b3 if { path /3 }
    default_backend b4
backend b1
    server s1 ` + rec + `
backend b2
    server s1 ` + rec + `
backend b3
    id 5
    server s1 ` + rec + `
backend b4
    server s1 ` + rec + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for _, p := range []string{"/1", "/2", "/3", "/4"} {
		raw := "GET " + p + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		want := sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
		if p == "/1" {
			t.Logf("haproxy: %q", want)
		}
	}
}
