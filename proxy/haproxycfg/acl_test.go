package haproxycfg

import (
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

func TestACLMatch(t *testing.T) {
	dir := t.TempDir()
	pats := filepath.Join(dir, "paths.lst")
	os.WriteFile(pats, []byte("# admin paths\n/admin\n\n  /internal  \n"), 0o644)
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
		p := Build(res.Config)
		if n := notices(p); len(n) != 0 {
			t.Errorf("%s %s: notices %q", tc.acl, cond, n)
			continue
		}
		ub := p.Proxy.Frontends[0].UseBackends
		if len(ub) != 1 || ub[0].Cond == nil {
			t.Errorf("%s %s: use_backend not mapped: %+v", tc.acl, cond, ub)
			continue
		}
		if got := ub[0].Cond.Match(tc.r); got != tc.want {
			t.Errorf("acl x %s / %s on %s %s from %s = %v, want %v", tc.acl, cond, tc.r.Method, tc.r.Target, tc.r.Src, got, tc.want)
		}
	}
}

func TestACLUnsupportedReported(t *testing.T) {
	cfg := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n" +
		"frontend f\n bind 127.0.0.1:8080\n acl x req.ssl_sni -i a.example\n use_backend b if x\n default_backend b\nbackend b\n server s 127.0.0.1:1\n"
	p := buildText(t, cfg)
	n := notices(p)
	if len(n) != 1 || !strings.Contains(n[0], "[test.cfg:9] : 'use_backend condition: acl x: fetch req.ssl_sni' parsed but not supported yet.") {
		t.Errorf("notices %q", n)
	}
	if len(p.Proxy.Frontends[0].UseBackends) != 0 {
		t.Errorf("unsupported rule kept")
	}
}
