package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// TestBalanceURITargetsMatchesHAProxy: `balance uri` with and without
// whole, path-only, len and depth, map-based and consistent, beside
// HAProxy 2.6.12, for request targets of every form: origin, absolute
// with and without a path, "*", a CONNECT's authority, a scheme HAProxy's
// path parser refuses. Eleven servers each answer their name (404, so no
// CONNECT becomes a tunnel): the server each request went to, compared.
func TestBalanceURITargetsMatchesHAProxy(t *testing.T) {
	var servers string
	for i := 1; i <= 11; i++ {
		name := fmt.Sprintf("s%d", i)
		servers += "    server " + name + " " + fakeServer(t, "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\nConnection: close\r\n\r\n"+name) + "\n"
	}
	balances := []string{
		"uri", "uri whole", "uri path-only", "uri path-only whole", "uri len 5", "uri depth 1",
		"uri path-only depth 2", "uri path-only len 3", "uri path-only\n    hash-type consistent", "uri\n    hash-type consistent",
		"uri path-only depth 1\n    hash-type consistent", "hash path", "hash url",
		"hash path\n    hash-type consistent",
	}
	cfg := httpHead + `frontend fe
    bind BIND
`
	for i := range balances {
		cfg += fmt.Sprintf("    use_backend b%d if { req.hdr(x-b) %d }\n", i, i)
	}
	for i, b := range balances {
		cfg += fmt.Sprintf("backend b%d\n    balance %s\n", i, b) + servers
	}
	ha, goha := startBoth(t, cfg)
	targets := []struct{ method, target, host string }{
		{"GET", "/a/b/c?x=1", "h.example"},
		{"GET", "/", "h.example"},
		{"OPTIONS", "*", "h.example"},
		{"CONNECT", "ex.example:443", "ex.example:443"},
		{"CONNECT", "other.example:8443", "other.example:8443"},
		{"GET", "http://ex.example", "ex.example"},
		{"GET", "http://ex.example?q=1", "ex.example"},
		{"GET", "http://ex.example/a/b?q=2", "ex.example"},
		{"GET", "https://ex.example:8443/p/q/r", "ex.example:8443"},
		{"GET", "x-y+z.1://h.example/a/b", "h.example"},
		{"GET", "1x://h.example/a/b", "h.example"},
		{"GET", "http:/a/b", "h.example"},
	}
	for i, b := range balances {
		for _, tg := range targets {
			raw := tg.method + " " + tg.target + " HTTP/1.1\r\nHost: " + tg.host + "\r\nX-B: " + fmt.Sprint(i) + "\r\nConnection: close\r\n\r\n"
			sameAnswerAtOnce(t, strings.ReplaceAll(b, "\n    ", "; ")+": "+tg.method+" "+tg.target, ha, goha, raw, time.Second)
		}
	}
}
