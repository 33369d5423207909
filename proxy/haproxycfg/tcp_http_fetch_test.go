package haproxycfg

import (
	"strings"
	"testing"
)

// TestTCPHTTPFetchRefused: a tcp proxy's rules reading an HTTP fetch
// (which HAProxy 2.6 evaluates by parsing the stream's bytes as an HTTP
// request, goha not) are refused, naming the line; those reading the raw
// bytes (payload fetches, req.proto_http and the HTTP predefined ACL),
// layer-4 fetches or variables are not. HAProxy's own verdict on such a
// file: cmd/gohaproxy failclosed row 12-tcp-http-fetch.
func TestTCPHTTPFetchRefused(t *testing.T) {
	const want = "HAProxy parses the stream's bytes as an HTTP request for this fetch; goha does not"
	for _, c := range []struct {
		name, fe, be string
		refused      string // the notice holds this and want; "" for none
	}{
		{"content path", "tcp-request content reject if { path /admin }", "", "tcp-request content reject condition: sample fetch path"},
		{"content named acl", "acl a hdr(host) -i x\n    tcp-request content reject if a", "", "sample fetch hdr(host)"},
		{"content predefined METH_GET", "tcp-request content reject if METH_GET", "", "sample fetch method"},
		{"content HTTP_1.1", "tcp-request content reject if HTTP_1.1", "", "sample fetch req.ver"},
		{"content url_param", "tcp-request content reject if { url_param(a) b }", "", "sample fetch url_param(a)"},
		{"content http_auth_type", "tcp-request content reject if { http_auth_type basic }", "", "sample fetch http_auth_type"},
		{"use_backend cond", "use_backend b if { req.hdr(x) y }", "", "use_backend condition: sample fetch req.hdr(x)"},
		{"use_backend dynamic", "use_backend %[path,lower]", "", "use_backend with a dynamic name: sample fetch path,lower"},
		{"stick on", "", "stick-table type string len 32 size 1k\n    stick on req.cook(x)", "stick on req.cook(x): sample fetch req.cook(x)"},
		{"stick cond", "", "stick-table type ip size 1k\n    stick match src if { method GET }", "stick match condition: sample fetch method"},
		{"balance hash", "", "balance hash path", "balance hash path: sample fetch path"},
		{"HTTP predefined", "tcp-request content accept if HTTP", "", ""},
		{"proto_http", "tcp-request content reject if !{ req.proto_http }", "", ""},
		{"payload", "tcp-request content reject if { req.payload(0,4) -m str EVIL }", "", ""},
		{"layer4", "tcp-request content reject if { src 10.0.0.1 }\n    use_backend b if { dst_port 80 }", "", ""},
		{"ssl", "tcp-request content reject if { req.ssl_sni -i x } || { ssl_fc }", "", ""},
		{"rdp", "tcp-request content reject if { req.rdp_cookie(mstshash) x }", "", ""},
		{"var", "tcp-request content reject if { var(txn.x) -m found }", "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := buildText(t, "defaults\n    mode tcp\n    timeout client 1s\n    timeout server 1s\n    timeout connect 1s\n"+
				"frontend fe\n    bind 127.0.0.1:19998\n    tcp-request inspect-delay 1s\n    "+c.fe+"\n    default_backend b\n"+
				"backend b\n    "+c.be+"\n    server s 127.0.0.1:1\n")
			got := strings.Join(notices(p), "\n")
			if c.refused == "" && got != "" || c.refused != "" && (!strings.Contains(got, c.refused) || !strings.Contains(got, want)) {
				t.Errorf("notices %q, want %q", got, c.refused)
			}
		})
	}
}
