package haproxycfg

import (
	"strings"
	"testing"
)

// TestTCPHTTPFetchRefused: a tcp proxy's rules reading an HTTP fetch goha
// does not evaluate on a tcp stream's bytes (the response fetches, a
// request head fetch in `stick store-response`) are refused, naming the
// line; http_first_req (true on a tcp stream:
// TestTCPFirstReqDifferential), the request head fetches (parsed from
// the stream's bytes, as HAProxy does: TestTCPHTTPFetchDifferential),
// the payload fetches, layer-4 fetches and variables are not.
func TestTCPHTTPFetchRefused(t *testing.T) {
	const want = "goha gives a tcp stream's request head fetches (path, hdr, method, ...) a value from them, not the response fetches"
	for _, c := range []struct {
		name, fe, be string
		refused      string // the notice holds this (and want, unless it is a place's message); "" for none
	}{
		{"content res.hdr", "tcp-request content reject if { res.hdr(x) y }", "", "tcp-request content reject condition: sample fetch res.hdr(x)"},
		{"content named status", "acl ok status 200\n    tcp-request content reject if ok", "", "sample fetch status"},
		{"use_backend dynamic", "use_backend %[res.ver]", "", "use_backend with a dynamic name: sample fetch res.ver"},
		{"stick cond", "", "stick-table type ip size 1k\n    stick match src if { shdr(x) y }", "stick match condition: sample fetch shdr(x)"},
		{"content http_first_req", "acl first http_first_req\n    tcp-request content reject if !{ http_first_req } || !first\n    tcp-request content set-var(txn.f) str(x) if first", "", ""},
		{"set-var http_first_req", "tcp-request content set-var(txn.f) http_first_req", "", "set-var(txn.f): sample 'http_first_req' of a tcp stream's set-var: HAProxy 2.6.12 crashes"},
		{"use_backend http_first_req", "use_backend b if { http_first_req }\n    use_backend %[http_first_req,bool]", "", ""},
		{"stick http_first_req", "", "stick-table type ip size 1k\n    stick match src if { http_first_req }", ""},
		{"stick store-response", "", "stick-table type string len 32 size 1k\n    stick store-response req.hdr(x)", "may not be reliably used here"},
		{"content path", "tcp-request content reject if { path /admin }", "", ""},
		{"content named acl", "acl a hdr(host) -i x\n    tcp-request content reject if a", "", ""},
		{"content predefined", "tcp-request content reject if METH_GET || HTTP_1.1 || HTTP_URL_ABS", "", ""},
		{"content url_param", "tcp-request content reject if { url_param(a) b } || { http_auth_type basic }", "", ""},
		{"content set-var", "tcp-request content set-var(txn.p) path\n    tcp-request content set-var(txn.h) req.hdr(host),lower", "", ""},
		{"content http_auth_group", "tcp-request content reject if { http_auth_group(L) g }", "", ""},
		{"content body", "tcp-request content reject if { req.body -m sub x } || { req.body_len gt 1 } || { req.body_param(a) b }\n    tcp-request content set-var(txn.s) req.body_size", "", ""},
		{"use_backend cond", "use_backend b if { req.hdr(x) y }", "", ""},
		{"use_backend dynamic path", "use_backend %[path,lower]", "", ""},
		{"stick on", "", "stick-table type string len 32 size 1k\n    stick on req.cook(x)", ""},
		{"stick cond method", "", "stick-table type ip size 1k\n    stick match src if { method GET }", ""},
		{"balance hash", "", "balance hash path", ""},
		{"HTTP predefined", "tcp-request content accept if HTTP", "", ""},
		{"payload", "tcp-request content reject if { req.payload(0,4) -m str EVIL }", "", ""},
		{"layer4", "tcp-request content reject if { src 10.0.0.1 }\n    use_backend b if { dst_port 80 }", "", ""},
		{"ssl", "tcp-request content reject if { req.ssl_sni -i x } || { ssl_fc }", "", ""},
		{"var", "tcp-request content reject if { var(txn.x) -m found }", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := buildText(t, "userlist L\n    group g\n    user u insecure-password p groups g\n"+
				"defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
				"frontend fe\n    bind 127.0.0.1:19998\n    tcp-request inspect-delay 1s\n    "+c.fe+"\n    default_backend b\n"+
				"backend b\n    "+c.be+"\n    server s 127.0.0.1:1\n")
			got := strings.Join(notices(p), "\n")
			place := strings.Contains(c.refused, "reliably") || strings.Contains(c.refused, "crashes")
			if c.refused == "" && got != "" || c.refused != "" && (!strings.Contains(got, c.refused) || !place && !strings.Contains(got, want)) {
				t.Errorf("notices %q, want %q", got, c.refused)
			}
		})
	}
}
