package haproxycfg

import (
	"strings"
	"testing"
)

// TestAuthSamplesDifferential: http_auth(<userlist>) and
// http_auth_group(<userlist>) as samples outside ACLs (%[...] header
// values, set-var, a return payload, converters after them), beside
// HAProxy 2.6: what the recording backend receives, or the reply, must be
// identical for each credential kind.
func TestAuthSamplesDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	cfg := httpHead + authUserlist + `
frontend fe
    bind BIND
    http-request set-var(txn.ok) http_auth(L)
    http-request set-var(txn.who) http_auth_group(L)
    http-request return status 200 content-type text/plain lf-string "ok=%[http_auth(L)] g=%[http_auth_group(L),upper]" if { path /ret }
    http-request set-header x-ok %[http_auth(L)]
    http-request set-header x-grp "%[http_auth_group(L)]|%[var(txn.who),length]"
    http-request set-header x-vars "%[var(txn.ok)]|%[http_auth(L),not]"
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	var conns []string
	for _, c := range []string{"", "Basic " + basic("md5u:md5pw"), "Basic " + basic("md5u:wrong"),
		"Basic " + basic("sha256u:sha256pw"), "Basic " + basic("clear:pw"), "Basic " + basic("nobody:pw"),
		"Bearer abc", "Basic " + basic("sha512u:sha512pw")} {
		hdr := ""
		if c != "" {
			hdr = "Authorization: " + c + "\r\n"
		}
		for _, path := range []string{"/x", "/ret"} {
			conns = append(conns, "GET "+path+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n"+hdr+"\r\n")
		}
	}
	compareConns(t, ha, goha, conns)
}
