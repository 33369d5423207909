package haproxycfg

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMonitorOriginalToDifferential: monitor-uri with monitor fail if and
// unless (before the http-request rules, the frontend's errorfile for the
// 503, keep-alive after the answer), option originalto from the frontend
// and the backend (header name, except), and http-send-name-header
// replacing the client's field, beside HAProxy 2.6: the bytes each client
// reads (the recording backend answers with the head it got), and how
// each connection ends.
func TestMonitorOriginalToDifferential(t *testing.T) {
	t.Parallel()
	page := filepath.Join(t.TempDir(), "503.http")
	os.WriteFile(page, []byte("HTTP/1.1 503 Down\r\ncontent-length: 5\r\ncontent-type: text/plain\r\n\r\ndown\n"), 0o644)
	rec := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    monitor-uri /mon
    acl down hdr(x-down) -m found
    monitor fail if down
    monitor fail unless { hdr(x-up) -m found } || { path /mon }
    http-request deny if { path_beg /mon }
    option originalto
    errorfile 503 ` + page + `
    use_backend named if { path_beg /named }
    use_backend except if { path_beg /except }
    default_backend plain
backend plain
    server s1 ` + rec + `
backend named
    option forwardfor
    option originalto header X-Dst except 10.0.0.0/8
    http-send-name-header X-Srv
    server web1 ` + rec + `
backend except
    option originalto except 127.0.0.0/8
    server s1 ` + rec + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	conns := []string{
		"GET /mon HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /mon HTTP/1.1\r\nHost: h\r\nX-Down: 1\r\n\r\n",
		"GET /mon HTTP/1.0\r\n\r\n",
		"GET http://h/mon HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /mon?x=1 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /MON HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"POST /mon HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET /mon HTTP/1.1\r\nHost: h\r\nX-Down: 1\r\n\r\n",
		"GET /plain HTTP/1.1\r\nHost: h\r\nX-Original-To: client\r\nConnection: close\r\n\r\n",
		"GET /named HTTP/1.1\r\nHost: h\r\nX-Srv: forged\r\nx-srv: again\r\nConnection: close\r\n\r\n",
		"GET /named HTTP/1.0\r\nHost: h\r\n\r\n",
		"GET /except HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	}
	for _, raw := range conns {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}
