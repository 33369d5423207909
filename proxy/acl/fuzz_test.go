package acl

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// FuzzSampleEval: any expression either compiles or is refused, and a
// compiled one evaluates on any header value without panicking; the
// same expression as an ACL gives the same "no sample" as Text.
func FuzzSampleEval(f *testing.F) {
	for _, e := range []string{
		"req.hdr(x),lower", "req.hdr(x),field(-2,:,0)", "req.hdr(x),word(2,:,3)", "req.hdr(x),regsub(x*,-,g)",
		"req.hdr(x),add(9223372036854775807),mul(-2)", "req.hdr(x),div(0),neg", "req.hdr(x),ipmask(24,64)",
		"req.hdr(x),b64dec,hex", "req.hdr(x),ub64dec,sha2(512),base64", "req.hdr(x),url_dec(1),url_enc",
		"req.hdr(x),json(utf8)", "req.hdr(x),bytes(2,1),xxh3(7)", "req.hdr(x),http_date(-5)", "str(a),concat(b,,c)",
		"int(7),ipmask(8)", "bin(00ff),lower", "src,add(1)", "path,hex2i", "req.hdr(x,-1),length,bool",
		"req.hdr(x),be2dec(:,3,1)", "req.hdr(x),be2hex(-,2,1)", "req.hdr(x),xxh32(3)", "req.hdr(x),xxh64(-1)",
		"req.hdr(x),hmac(sha256,a2V5),hex", "req.hdr(x),host_only", "req.hdr(x),port_only", "req.hdr(x),language(en;fr,de)",
		"req.hdr(x),add_item(;,,s)", "req.hdr(x),json_query($.a[1].b)", "req.hdr(x),json_query($.a,int)",
		"req.hdr(x),jwt_payload_query($.sub)", "req.hdr(x),jwt_verify(HS256,k)", "req.hdr(x),jwt_verify(none,k)",
		"hdr_ip(x)", "req.hdr_val(x)", "req.hdrs_bin,hex", "url32+src,hex", "http_auth_bearer(x)",
		"req.hdr(x),b64dec,protobuf(1.2,int32)", "req.hdr(x),b64dec,ungrpc(2),hex", "req.hdr(x),fix_is_valid",
		"req.hdr(x),fix_tag_value(35)", "req.hdr(x),b64dec,aes_gcm_dec(128,AAAAAAAAAAAAAAAA,AAAAAAAAAAAAAAAAAAAAAA==,AAAA)",
		"nbsrv(be)", "req.hdr(x),srv_queue", "srv_name", "fc_rtt(us)", "bc_src",
	} {
		f.Add(e, "a:b::c")
		f.Add(e, "-12")
		f.Add(e, "::ffff:1.2.3.4")
	}
	f.Fuzz(func(t *testing.T, expr, hdr string) {
		s := haproxy.ParseSample(expr)
		e, err := CompileExpr(s)
		if err != nil {
			return
		}
		var req http1.Request
		if strings.ContainsAny(hdr, "\r\n") || req.Parse([]byte("GET /p?q=1 HTTP/1.1\r\nHost: h\r\nX: "+hdr+"\r\n\r\n")) != nil {
			return
		}
		r := proxy.NewRequestInfo(netip.MustParseAddrPort("10.0.0.1:5"), &req)
		text, ok := e.Text(r)
		c, err := Compile(haproxy.ACL{Sample: s, Match: haproxy.Match{Method: haproxy.MatchFound}})
		if err != nil {
			t.Fatalf("%q compiles as an expression, not as an acl: %v", expr, err)
		}
		if found := c.Match(r); ok && !found {
			t.Fatalf("%q on %q: Text gives %q but the acl finds no sample", expr, hdr, text)
		}
	})
}
