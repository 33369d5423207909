package haproxycfg

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// breadthValues are the values of header X the converters read: Host
// values with and without ports, Accept-Language values, JSON documents
// (valid, truncated after the value, with escapes, big numbers) and JWTs.
var breadthValues = []string{
	"", "abc", "Example.COM:8080", "[::1]:80", "[::1]", "h:", ":80", "a:b:99999999999", "10.0.0.1:443", "80",
	"en-US,fr;q=0.8, de;q=0.9", "fr;q=0.5,en;q=0.4", "*", "de-DE;q=0.1", "es; q = 0.7 , en-GB;q=1.0", "xx;q=0,de;q=0.001", "de;q=0,fr;q=0.5", "de;q=1,fr",
	`{"a":1,"b":"x\u0041y\n","c":[true,false,null,{"d":2.5e3}],"e":{"f":"g"}}`,
	`{"a":-12345678901234567,"b":"\u2603","n":1e400}`, `{"a":9007199254740991,"b":"q\"t"}`, `{"a":1,`, `[1,2]`,
	`{"a":1.0,"b":0.00001}`, `{"a":"x", "a":"y"}`, `{"a" : 123456789 , "b":"\/"}`, `{"e":{"f":{"g":1}}}`, `{"a":1.5}`, `{"a":-0.5e-3}`,
	"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJib2IiLCJpYXQiOjE1MTYyMzkwMjIsImFkbSI6dHJ1ZX0.sig",
	"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhXHUwMDQyIn0", "eyJhbGciOiJSUzI1NiJ9", "a.b.c",
}

// breadthExprs are the converter chains under test, each after
// req.hdr(x); binary results go through hex.
var breadthExprs = []string{
	"be2dec(:,1)", "be2dec(-,2)", "be2dec(,3,1)", "be2dec(.,8)", "be2dec(,5,1)",
	"be2hex", "be2hex(:,1)", "be2hex(-,2,1)", "be2hex(,3,1)", "be2hex(,3)",
	"xxh32", "xxh32(1)", "xxh32(-1)", "xxh64", "xxh64(12345)", "xxh64(-2)",
	"hmac(sha256,a2V5),hex", "hmac(sha1,),hex", "hmac(md5,c2VjcmV0IGtleQ==),hex", "hmac(sha256,txn.k),hex", "hmac(sha256,txn.bad),hex",
	"host_only", "port_only", "host_only,length", "port_only,add(1)",
	"language(en;fr;de)", "language(de;es,xx)", "language(en-US;fr)", "language(en)", "language(fr;en-GB)",
	"add_item(;,,sfx)", "add_item(;,txn.v)", "add_item(;,txn.none)", "add_item(;,txn.e,S)", "add_item(;,txn.e)",
	"json_query($.a)", "json_query($.a,int)", "json_query($.b)", "json_query($.c[0])", "json_query($.c[1])",
	"json_query($.c[2])", "json_query($.c[3].d)", "json_query($.c[3].d,int)", "json_query($.e.f)", "json_query($.e)",
	"json_query($[1])", "json_query($.n)", "json_query($.e.f.g)", "json_query($)", "json_query($.c[0]),not",
	"jwt_header_query", "jwt_header_query($.alg)", "jwt_payload_query($.sub)", "jwt_payload_query($.iat,int)",
	"jwt_payload_query", "jwt_payload_query($.adm)", "jwt_header_query($.typ)",
}

// TestConverterBreadthDifferential: each converter chain answers on its
// own path with return lf-string "[%[req.hdr(x),<chain>]]"; every value of
// header X goes to every path through HAProxy 2.6 and goha, and the whole
// responses must be equal byte for byte.
func TestConverterBreadthDifferential(t *testing.T) {
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	b.WriteString("    http-request set-var(txn.v) str(V1)\n    http-request set-var(txn.e) str()\n")
	b.WriteString("    http-request set-var(txn.k) str(a2V5)\n    http-request set-var(txn.bad) str(a2V)\n")
	for i, e := range breadthExprs {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string '[%%[req.hdr(x),%s]]' if { path /e%d }\n", e, i)
	}
	b.WriteString("    http-request return status 404\n")
	cfg := b.String()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for i, e := range breadthExprs {
		for _, v := range breadthValues {
			raw := fmt.Sprintf("GET /e%d HTTP/1.1\r\nHost: h\r\nX: %s\r\nConnection: close\r\n\r\n", i, v)
			want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
			got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
			if !bytes.Equal(want, got) {
				t.Errorf("%s on X: %q\nhaproxy: %q\ngoha:    %q", e, v, body(want), body(got))
			}
		}
	}
}

func body(resp []byte) []byte {
	if i := bytes.Index(resp, []byte("\r\n\r\n")); i >= 0 {
		return resp[i+4:]
	}
	return resp
}

// TestCaptureConvDifferential: capture-req and capture-res store into the
// declared slots, cut to their lengths, and an undeclared slot has no
// sample; the captured values read back through capture.req.hdr and
// capture.res.hdr, beside HAProxy 2.6.
func TestCaptureConvDifferential(t *testing.T) {
	backend := startHeadRecorder(t)
	cfg := httpHead + `frontend fe
    bind BIND
    declare capture request len 5
    declare capture request len 40
    declare capture response len 3
    http-request set-header x-a "[%[req.hdr(x),capture-req(0)]][%[capture.req.hdr(0)]][%[req.hdr(x),capture-req(2)]][%[path,capture-req(1)]][%[capture.req.hdr(1)]]"
    http-request return status 200 content-type text/plain lf-string "%[req.hdr(x-a)]" if { path /r }
    http-response set-header x-b "[%[res.hdr(content-length),capture-res(0)]][%[capture.res.hdr(0)]][%[status,capture-res(1)]]"
    default_backend be
backend be
    server s1 ` + backend + `
`
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for _, raw := range []string{
		"GET /r HTTP/1.1\r\nHost: h\r\nX: abcdefgh\r\nConnection: close\r\n\r\n",
		"GET /r HTTP/1.1\r\nHost: h\r\nX: ab\r\nConnection: close\r\n\r\n",
		"GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /s HTTP/1.1\r\nHost: h\r\nX: abcdefgh\r\nConnection: close\r\n\r\n",
	} {
		want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
		wr, err1 := difftest.ParseAll(want)
		gr, err2 := difftest.ParseAll(got)
		if err1 != nil || err2 != nil || len(wr) != 1 || len(gr) != 1 {
			t.Fatalf("%q: %v %v\n%q\n%q", raw, err1, err2, want, got)
		}
		t.Logf("%q: haproxy %q x-b %q", raw, wr[0].Body, wr[0].Headers["x-b"])
		if wr[0].Body != gr[0].Body || wr[0].Headers["x-b"] != gr[0].Headers["x-b"] {
			t.Errorf("%q\nhaproxy: %q %q\ngoha:    %q %q", raw, wr[0].Body, wr[0].Headers["x-b"], gr[0].Body, gr[0].Headers["x-b"])
		}
	}
}
