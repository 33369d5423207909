package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestPretendKeepAliveDifferential: option http-pretend-keepalive with
// http-server-close, set on the backend (the server is not
// told about the close) and on the frontend only (no effect in HAProxy
// 2.6: the server connection's proxy decides), for HTTP/1.1 and 1.0
// requests, beside HAProxy: the head the recording backend got and the
// bytes the client read.
func TestPretendKeepAliveDifferential(t *testing.T) {
	rec := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    option http-pretend-keepalive
    option http-server-close
    use_backend pk if { path_beg /pk }
    default_backend plain
backend plain
    server s1 ` + rec + `
backend pk
    option http-pretend-keepalive
    server s1 ` + rec + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	var conns []string
	for _, p := range []string{"/plain", "/pk"} {
		conns = append(conns,
			"GET "+p+" HTTP/1.1\r\nHost: h\r\n\r\nGET "+p+"/2 HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\nHost: h\r\n\r\n",
			"GET "+p+" HTTP/1.0\r\nHost: h\r\nConnection: keep-alive\r\n\r\n")
	}
	for _, raw := range conns {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 300*time.Millisecond)
	}
}
