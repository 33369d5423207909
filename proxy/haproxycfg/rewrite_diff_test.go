package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// rewriteRules are request-target and header rewrites, one per case
// (selected by the x-c header), with later rules reading what they did.
var rewriteRules = []string{
	`set-query a=b`,
	`set-query %[req.hdr(x-q)]`,
	`set-uri /new?z`,
	`set-uri http://other:81/x?y`,
	`set-pathq /n?q`,
	`replace-path /p(.*) /r\1%[req.hdr(x-c)]`,
	`replace-pathq /p(.*) /r\1`,
	`replace-uri ^(.*)p(.*)$ \2-\1`,
	`replace-header X a(.) b\1`,
	`replace-value X a(.) b\1`,
	`set-uri %[req.hdr(x-q)]`,
	`set-pathq %[req.hdr(x-q)]`,
	`replace-path .* %[req.hdr(x-q)]`,
	`set-uri abc`,
	`set-pathq abc`,
	`replace-header host (.*) new.\1`,
	`replace-value x-l ^([^=]*)=(.*)$ \2=\1\x21`,
	`replace-header x-none (.*) y`,
	`replace-uri (zzz) y`,
	`set-query %[query]-%[req.hdr(x-c)]`,
}

// TestRewriteRulesDifferential: set-query, set-uri, set-pathq,
// replace-path, replace-pathq, replace-uri, replace-header and
// replace-value (RE2 regexes with \N groups and %[...] values) on origin,
// absolute, empty-query and "*" targets, beside HAProxy 2.6: the request
// head the backend receives, with the path, query, Host and url the next
// rules read, must be identical.
func TestRewriteRulesDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	var rules strings.Builder
	for i, r := range rewriteRules {
		fmt.Fprintf(&rules, "    http-request %s if { req.hdr(x-c) %d }\n", r, i)
	}
	// (on "http://h" and "*" there is no path: TestTargetFormsDifferential)
	rules.WriteString("    http-request set-header x-seen %[query]|%[url]|%[req.hdr(host)]|%[path]|%[pathq]\n")
	rules.WriteString("    http-response add-header x-r \"ab, cb,ax\"\n")
	rules.WriteString("    http-response replace-header x-r ^(.)b \\1B%[res.hdr_cnt(x-r)]\n")
	rules.WriteString("    http-response replace-value x-r ^a(.*) \\1A\n")
	cfg := httpHead +
		"frontend fe\n    bind BIND\n" + rules.String() + "    default_backend be\nbackend be\n    server s1 " + backend + "\n"
	ha, goha := startBoth(t, cfg)
	var conns []string
	for i := range rewriteRules {
		for _, u := range []string{"/p/a", "/p/a?x=1", "/p?", "http://h/p/a?x", "http://h", "*"} {
			conns = append(conns, fmt.Sprintf("GET %s HTTP/1.1\r\nHost: h\r\nx-c: %d\r\nX: a1, a2\r\nx: a3\r\n"+
				"x-q: \r\nX-L: k=v, z ,q=w\r\nConnection: close\r\n\r\n", u, i))
		}
		conns = append(conns, fmt.Sprintf("GET /p/a HTTP/1.0\r\nx-c: %d\r\n\r\n", i))
	}
	compareConns(t, ha, goha, conns)
}
