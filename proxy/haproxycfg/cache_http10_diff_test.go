package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// TestCacheHTTP10ResponseMatchesHAProxy: a response an HTTP/1.0 server
// sends is stored with its version, as HAProxy's cache keeps the HTX
// start line it received: its hits say HTTP/1.0 (with the
// connection: keep-alive HAProxy's H1 mux then adds) and compression
// leaves them alone, as it does any response that is not HTTP/1.1;
// http-response rules read res.ver 1.0 on them.
func TestCacheHTTP10ResponseMatchesHAProxy(t *testing.T) {
	body := strings.Repeat("hello world ", 100)
	srv := fakeServer(t, fmt.Sprintf("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nCache-Control: max-age=60\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	cfg := `defaults
    mode http
    timeout connect 2s
    timeout client 3s
    timeout server 3s
cache c
    total-max-size 4
    max-age 60
listen li
    bind BIND
    compression algo gzip
    compression type text/plain
    http-request cache-use c
    http-response cache-store c
    http-response set-header x-ver %[res.ver]
    server s1 ` + srv + `
`
	ha, goha := startBoth(t, cfg)
	for i, extra := range []string{"Accept-Encoding: gzip\r\n", "Accept-Encoding: gzip\r\n", "", "Accept-Encoding: gzip\r\n"} {
		raw := "GET /a HTTP/1.1\r\nHost: h\r\n" + extra + "Connection: close\r\n\r\n"
		sameCacheAnswer(t, fmt.Sprintf("request %d (%q)", i, extra), ha, goha, raw)
	}
	raw := "GET /a HTTP/1.1\r\nHost: h\r\n\r\n" // kept alive: the hit says so
	sameCacheAnswer(t, "kept-alive hit", ha, goha, raw)
}
