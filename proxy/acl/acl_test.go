package acl

import (
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

func TestACLMatch(t *testing.T) {
	dir := t.TempDir()
	pats := filepath.Join(dir, "paths.lst")
	os.WriteFile(pats, []byte("# admin paths\n/admin\n\n  /internal\r\n"), 0o644)
	req := func(method, target, src string) *proxy.RequestInfo {
		return &proxy.RequestInfo{Method: []byte(method), Target: []byte(target), Src: netip.MustParseAddrPort(src)}
	}
	get := req("GET", "/api/v1/users?id=7", "10.1.2.3:5000")
	tests := []struct {
		acl  string // the acl line after "acl x "
		cond string // "" = "if x"
		r    *proxy.RequestInfo
		want bool
	}{
		{"path_beg /api", "", get, true},
		{"path_beg /API", "", get, false},
		{"path_beg -i /API", "", get, true},
		{"path /api/v1/users", "", get, true},
		{"path_end /users", "", get, true},
		{"path_end users?id=7", "", get, false}, // the query is not part of path
		{"url_end id=7", "", get, true},
		{"path_sub v1", "", get, true},
		{"path_reg ^/api/v[0-9]+/", "", get, true},
		{"path_dir v1", "", get, true},
		{"path_dir v", "", get, false},
		{"path -m beg /api /static", "", get, true},
		{"path -m len 10:20", "", get, true},
		{"path -m len 1:5", "", get, false},
		{"query id=7", "", get, true},
		{"method GET", "", get, true},
		{"method POST", "", get, false},
		{"src 10.0.0.0/8", "", get, true},
		{"src 10.0.0.0/255.0.0.0", "", get, true},
		{"src 192.168.0.0/16 ::1", "", get, false},
		{"src 127.0.0.1", "", req("GET", "/", "[::ffff:127.0.0.1]:80"), true},
		{"path,lower /api/v1/users", "", req("GET", "/API/V1/Users", "10.0.0.1:1"), true},
		{"path -f " + pats, "", req("GET", "/internal", "10.0.0.1:1"), true},
		{"path -f " + pats, "", req("GET", "/public", "10.0.0.1:1"), false},
		{"path_beg /api", "unless x", get, false},
		{"path_beg /api", "if !x", get, false},
		{"path_beg /nope", "if x || METH_GET", get, true},
		{"path_beg /api", "if x METH_POST", get, false},
		{"path_beg /api", "if x { src 10.0.0.0/8 }", get, true},
		{"path_beg /api", "if LOCALHOST", get, false},
		{"path_beg /api", "if TRUE", get, true},
		{"path http://h/abs", "", req("GET", "http://h/abs", "10.0.0.1:1"), false},
		{"path /abs", "", req("GET", "http://h/abs?q", "10.0.0.1:1"), true},
		{"url_param(id) 7", "", get, true},
		{"urlp(id) -m beg 8", "", get, false},
		{"urlp(nope) -m found", "", get, false},
		{"url_param(id) -m found", "", get, true},
		{"ssl_fc", "", get, false},
		{"cook(sid) -m found", "", get, false}, // no Cookie header
	}
	for _, tc := range tests {
		cond := tc.cond
		if cond == "" {
			cond = "if x"
		}
		cfg := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n" +
			"frontend f\n bind 127.0.0.1:8080\n acl x " + tc.acl + "\n use_backend b " + cond + "\n default_backend b\nbackend b\n server s 127.0.0.1:1\n"
		res := haproxy.CheckBytes("t.cfg", []byte(cfg), nil)
		if res.Exit != 0 {
			t.Errorf("%s %s: parser exit %d %v", tc.acl, cond, res.Exit, res.Diags.List)
			continue
		}
		fe := res.Config.Frontends[0]
		c, err := NewSet(fe.ACLs).Compile(fe.UseBackends[0].Cond)
		if err != nil {
			t.Errorf("%s %s: %v", tc.acl, cond, err)
			continue
		}
		if got := c.Match(tc.r); got != tc.want {
			t.Errorf("acl x %s / %s on %s %s from %s = %v, want %v", tc.acl, cond, tc.r.Method, tc.r.Target, tc.r.Src, got, tc.want)
		}
	}
}

// TestHostOfAbsoluteURI: without a Host header the server reads the host
// from an absolute URI, so hdr(host) and base read it too (HAProxy reads
// nothing there; goha lets no rule see less than the server).
func TestHostOfAbsoluteURI(t *testing.T) {
	cfg := "frontend fe\n    mode http\n    bind 127.0.0.1:1\n    acl h hdr(host) -i admin.example\n    acl b base_beg admin.example/x\n    http-request deny if h b\n    default_backend be\nbackend be\n    mode http\n    server s 127.0.0.1:2\n"
	res := haproxy.CheckBytes("h.cfg", []byte(cfg), nil)
	if res.Exit != 0 {
		t.Fatalf("config: %+v", res.Diags.List)
	}
	cond, err := NewSet(res.Config.Frontends[0].ACLs).Compile(res.Config.Frontends[0].HTTPRequestRules[0].Cond)
	if err != nil {
		t.Fatal(err)
	}
	for in, want := range map[string]bool{
		"GET http://u@admin.example:80/x HTTP/1.1\r\n\r\n":                   true,
		"GET http://admin.example/x HTTP/1.1\r\nHost: admin.example\r\n\r\n": true,
		"GET http://other/x HTTP/1.1\r\n\r\n":                                false,
		"GET /x HTTP/1.1\r\n\r\n":                                            false,
	} {
		var req http1.Request
		if err := req.Parse([]byte(in)); err != nil {
			t.Fatalf("%q: %v", in, err)
		}
		if got := cond.Match(proxy.NewRequestInfo(netip.AddrPort{}, &req)); got != want {
			t.Errorf("%q: matched %v, want %v", in, got, want)
		}
	}
}
