package acl

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// TestSingleFetchesMatchYield: an expression or an ACL over a fetch of
// one value at most (single.go) gives the same outcome evaluated directly
// as through the fetch's yield callback (its oneFunc removed), on requests
// with and without the value, with converters, variables and defaults.
func TestSingleFetchesMatchYield(t *testing.T) {
	reqs := []struct{ raw, src string }{
		{"GET /a/B.css?x=1&y HTTP/1.1\r\nHost: h1\r\nX-A: a, b\r\nx-a: c\r\n\r\n", "10.1.2.3:5"},
		{"POST http://auth.example:81/p HTTP/1.1\r\nX-B: z\r\n\r\n", "[2001:db8::1]:7"},
		{"GET / HTTP/1.1\r\nHost: h2, h3\r\n\r\n", "[::ffff:192.168.1.1]:9"},
	}
	exprs := []string{
		"path", "url", "query", "method", "src", "path,lower", "path,crc32", "query,length",
		"method,lower", "src,ipmask(8)", "req.hdr(host)", "hdr(x-a)", "req.fhdr(x-a)", "hdr(host),lower",
		"hdr_cnt(x-a)", "req.hdr_cnt", "req.fhdr_cnt(x-a)", "hdr_cnt(nope)", "var(txn.s)", "var(txn.i),add(1)",
		"var(txn.nope,dflt)", "var(txn.nope)", "var(txn.a)",
	}
	acls := []string{
		"path_beg /a", "path_end .css", "path_reg ^/a/.*[.]css$", "url_sub auth", "query -m found",
		"query x=1&y", "method POST", "method GET", "src 10.0.0.0/8", "src 192.168.0.0/16 2001:db8::/32",
		"hdr_cnt(x-a) gt 1", "req.hdr_cnt(host) eq 1", "var(txn.s) -m str sval", "var(txn.i) -m int 41",
		"var(txn.nope,dflt) -m str dflt", "path,lower -m end .css",
	}
	for _, rq := range reqs {
		var req http1.Request
		if err := req.Parse([]byte(rq.raw)); err != nil {
			t.Fatalf("%q: %v", rq.raw, err)
		}
		r := proxy.NewRequestInfo(netip.MustParseAddrPort(rq.src), &req)
		for name, v := range map[string]proxy.Var{
			"txn.s": {Type: uint8(haproxy.SampleStr), Bytes: []byte("sval")},
			"txn.i": {Type: uint8(haproxy.SampleSInt), Int: 41},
			"txn.a": {Type: uint8(haproxy.SampleIPv4), Addr: netip.MustParseAddr("::ffff:10.0.0.9").As16()},
		} {
			ref, err := compileVar(name)
			if err != nil {
				t.Fatal(err)
			}
			r.StoreVar(ref.scope, ref.slot, &v)
		}
		for _, x := range exprs {
			e, err := CompileExpr(haproxy.ParseSample(x))
			if err != nil {
				t.Fatalf("%s: %v", x, err)
			}
			if e.one == nil {
				t.Fatalf("%s: not evaluated directly", x)
			}
			gen := *e
			gen.one = nil
			got, gok := e.AppendText(nil, r)
			want, wok := gen.AppendText(nil, r)
			if string(got) != string(want) || gok != wok {
				t.Errorf("%q from %s: AppendText(%s) = %q %v, yielding %q %v", rq.raw, rq.src, x, got, gok, want, wok)
			}
			gs, gok := e.Text(r)
			ws, wok := gen.Text(r)
			if gs != ws || gok != wok {
				t.Errorf("%q: Text(%s) = %q %v, yielding %q %v", rq.raw, x, gs, gok, ws, wok)
			}
			var fs, fw string
			e.first(r, func(_ *proxy.RequestInfo, v *value) { s, _ := v.text(); fs = "<" + s + ">" })
			gen.first(r, func(_ *proxy.RequestInfo, v *value) { s, _ := v.text(); fw = "<" + s + ">" })
			if fs != fw {
				t.Errorf("%q: first(%s) = %q, yielding %q", rq.raw, x, fs, fw)
			}
		}
		for _, line := range acls {
			cfg := "defaults\n mode http\n timeout client 1s\n timeout server 1s\n timeout connect 1s\n" +
				"frontend f\n bind 127.0.0.1:8080\n acl x " + line + "\n use_backend b if x\n default_backend b\nbackend b\n server s 127.0.0.1:1\n"
			res := haproxy.CheckBytes("t.cfg", []byte(cfg), nil)
			if res.Exit != 0 {
				t.Fatalf("%s: parser exit %d %v", line, res.Exit, res.Diags.List)
			}
			c, err := Compile(res.Config.Frontends[0].ACLs[0])
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			a, ok := c.(*acl)
			if !ok || a.one == nil {
				t.Fatalf("%s: not matched directly (%T)", line, c)
			}
			gen := &acl{fetch: a.fetch, steps: a.steps, matchType: a.matchType}
			gen.match.Store(a.match.Load())
			if got, want := a.Match(r), gen.Match(r); got != want {
				t.Errorf("%q from %s: acl %s = %v, yielding %v", rq.raw, rq.src, line, got, want)
			}
		}
	}
}
