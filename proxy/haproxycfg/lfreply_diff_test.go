package haproxycfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLogFormatRepliesDifferential: return and deny with lf-string,
// lf-file and hdr values made of %[...] samples, and redirect location and
// prefix with %[...] targets, beside HAProxy 2.6, byte for byte at the
// client.
func TestLogFormatRepliesDifferential(t *testing.T) {
	lf := filepath.Join(t.TempDir(), "body.lf")
	os.WriteFile(lf, []byte("path=%[path] q=%[query]\n"), 0o644)
	backend := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    http-request return status 200 content-type text/plain lf-string "hello %[req.hdr(x-name)]!" if { path /s }
    http-request return status 201 content-type text/plain lf-string "%[req.hdr(x-none)]" if { path /e }
    http-request return content-type text/plain lf-file ` + lf + ` hdr x-m "%[method]" hdr x-lit lit if { path /f }
    http-request deny status 429 content-type application/json lf-string "{\"p\":\"%[path,lower]\"}" hdr retry-after %[req.hdr(x-ra)] if { path_beg /D }
    http-request return status 204 hdr x-h "<%[req.hdr(x-name),upper]>" if { path /h }
    http-request redirect location /to/%[req.hdr(x-name)]?from=%[path] code 301 if { path_beg /rl }
    http-request redirect location %[req.hdr(x-none)] if { path /rle }
    http-request redirect prefix /p%[req.hdr(x-name)] drop-query if { path_beg /rp }
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	var conns []string
	for _, p := range []string{"/s", "/e", "/f?a=1", "/D/X", "/h", "/rl/a", "/rle", "/rp/a?b=c"} {
		for _, hdrs := range []string{"", "X-Name: bob\r\nX-Ra: 5\r\n", "X-Name: \r\n"} {
			conns = append(conns, "GET "+p+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"+hdrs+"\r\n")
		}
	}
	conns = append(conns, "GET /s HTTP/1.1\r\nHost: h\r\nX-Name: a\r\n\r\nGET /f HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
	for _, raw := range conns {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}
