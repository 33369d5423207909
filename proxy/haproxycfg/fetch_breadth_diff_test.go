package haproxycfg

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// fetchBreadthExprs are request fetches, each answered on its own path.
var fetchBreadthExprs = []string{
	"req.hdr_ip(x)", "hdr_ip(x)", "req.hdr_ip(x,1)", "req.hdr_ip(x,-2)", "req.hdr_val(x)", "hdr_val(x,1)",
	"req.cook_val(a)", "cook_val(b)", "urlp_val(n)", "req.hdrs", "req.hdrs_bin,hex", "req.hdrs,length",
	"baseq", "url32", "url32+src,hex", "base32+src,hex", "hdr_ip(x),ipmask(24)",
	"url_ip", "url_port", "req_ver", "proc", "src_is_local", "dst_is_local", "fc_src_is_local", "fc_dst_is_local", "fc_src", "fc_dst",
	"http_auth_bearer", "http_auth_bearer(x)", "date_us,div(1000000)",
}

// fetchBreadthRequests exercise them: addresses with ports, IPv6, values
// that are not addresses, integers with junk, several occurrences.
var fetchBreadthRequests = []string{
	"GET /P?n=12 HTTP/1.1\r\nHost: h\r\nX: 10.1.2.3:80\r\nCookie: a=42; b=-7x\r\n\r\n",
	"GET /P?n=1.5&n=3 HTTP/1.1\r\nHost: H:81\r\nX: ::1\r\nX: nope\r\nCookie: a=1.5\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nX: 1.2.3.4, 5.6.7.8\r\nX: 256.1.1.1\r\nUser-Agent: T\r\nConnection: keep-alive\r\n\r\n",
	"GET /P?a HTTP/1.1\r\nHost: h\r\nX: 001.2.3.4x\r\nX: -12\r\nCookie: b=99999999999\r\n\r\n",
	"GET http://abs.example/P?z=1 HTTP/1.1\r\nHost: abs.example\r\nX: 2001:db8::1\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nAuthorization: Bearer eyJ.a.b\r\nX: bearer   tok\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nAuthorization: Basic YTpi\r\nAuthorization: Bearer t2\r\nX: Bearer\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nAuthorization: BEARER a b, c\r\nX: Bearer x,Bearer y\r\n\r\n",
	"GET http://10.0.0.7:8080/P HTTP/1.1\r\nHost: 10.0.0.7:8080\r\n\r\n",
	"GET HTTP://10.0.0.8/P HTTP/1.0\r\nHost: 10.0.0.8\r\n\r\n",
	"GET http://10.0.0.9:/P HTTP/1.1\r\nHost: 10.0.0.9\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nX: 1.2.3.4:\r\nX: 1.2.3.4:65536\r\nX: 1.2.3.4:8x\r\n\r\n",
	"GET /P HTTP/1.1\r\nHost: h\r\nX: 1.2.3\r\nX-Long: " + strings.Repeat("v", 300) + "\r\n\r\n",
}

// TestFetchBreadthDifferential: the typed header/cookie/param fetches,
// the header block fetches and the url hashes on the request (return
// lf-string), and their response forms through http-response set-header,
// beside HAProxy 2.6, byte for byte.
func TestFetchBreadthDifferential(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Set-Cookie"] = []string{"a=12; Path=/", "b=x", "a=7"}
		h["X-Ip"] = []string{"10.1.2.3:80", "::1", "junk"}
		h["X-Val"] = []string{"1.5", "-42"}
		h["Date"] = nil
		w.Write([]byte("ok"))
	}))
	defer web.Close()
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	for i, e := range fetchBreadthExprs {
		fmt.Fprintf(&b, "    http-request return status 200 content-type text/plain lf-string '[%%[%s]]' if { path_beg /P } { hdr(e) %d }\n", e, i)
	}
	for i, e := range []string{"res.hdr_ip(x-ip)", "shdr_ip(x-ip,1)", "res.hdr_val(x-val)", "shdr_val(x-val,1)",
		"res.cook_val(a)", "scook_val(b)", "res.cook_cnt(a)", "scook_cnt", "res.hdrs", "res.hdrs_bin,hex", "resp_ver"} {
		fmt.Fprintf(&b, "    http-response set-header x-out%d \"[%%[%s]]\"\n", i, e)
	}
	b.WriteString("    default_backend be\nbackend be\n    server s1 " + strings.TrimPrefix(web.URL, "http://") + "\n")
	cfg := b.String()
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for i, e := range fetchBreadthExprs {
		for _, raw := range fetchBreadthRequests {
			raw = strings.Replace(raw, "\r\n\r\n", fmt.Sprintf("\r\nE: %d\r\nConnection: close\r\n\r\n", i), 1)
			want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
			got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
			if strings.HasPrefix(e, "http_auth_bearer") {
				t.Logf("%s: haproxy %q", e, body(want))
			}
			if !bytes.Equal(want, got) {
				t.Errorf("%s on %q\nhaproxy: %q\ngoha:    %q", e, raw, body(want), body(got))
			}
		}
	}
	raw := "GET /r HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	want, _ := exchangeFrom(t, "", ha, raw, 200*time.Millisecond)
	got, _ := exchangeFrom(t, "", goha, raw, 200*time.Millisecond)
	wr, err1 := difftest.ParseAll(want)
	gr, err2 := difftest.ParseAll(got)
	if err1 != nil || err2 != nil || len(wr) != 1 || len(gr) != 1 {
		t.Fatalf("responses: %v %v\n%q\n%q", err1, err2, want, got)
	}
	for i := 0; i < 11; i++ {
		n := fmt.Sprintf("x-out%d", i)
		if w, g := wr[0].Headers[n], gr[0].Headers[n]; w != g {
			t.Errorf("%s: haproxy %q, goha %q", n, w, g)
		}
	}
}
