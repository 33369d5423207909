package haproxycfg

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"
)

// targetFormsCfg answers, on requests without X-Fwd, the request fetches
// that read the target and the Cookie header; requests with X-Fwd go to an
// origin that sends back their X-A and X-B as Set-Cookie headers, and the
// response fetches on those land in header X-R.
const targetFormsCfg = `frontend fe
    bind BIND
    http-request return status 200 content-type text/plain lf-string "p=[%[path]] pl=%[path,length] pq=[%[pathq]] b=[%[base]] bq=[%[baseq]] b32=%[base32] u=[%[url]] q=[%[query]] c=[%[req.cook(sid)]] cl=%[req.cook(sid),length] cc=%[req.cook_cnt(sid)] all=%[req.cook_cnt()] cv=%[req.cook_val(sid)] cm=%[cook(sid)] a=[%[req.cook(a)]] ac=%[req.cook_cnt(a)]\n" unless { req.hdr(x-fwd) -m found }
    http-response set-header x-r "c=[%[res.cook(sid)]] cc=%[res.cook_cnt(sid)] all=%[res.cook_cnt()] v=%[res.cook_val(sid)] s=[%[scook(sid)]] p=[%[res.cook(Path)]]"
    default_backend be
backend be
    server o ORIGIN
`

var targetFormsRequests = []string{
	// target forms: path, pathq, base, base32 have no path to read for
	// "*", an authority and an absolute URI without a '/'
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET http://h.example HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET http://h.example:80 HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET http://h.example/?x=1 HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET HTTPS://h.example:8443/a/b?x=1 HTTP/1.1\r\nHost: h.example:8443\r\n\r\n",
	"CONNECT h.example:8443 HTTP/1.1\r\nHost: h.example:8443\r\n\r\n",
	"GET /a?b HTTP/1.1\r\nHost: h\r\n\r\n",
	// Cookie: an empty value last in its header is no cookie; quotes,
	// '$' attributes, ',' separators, spaces around names
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: sid=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1; sid=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: a=1;sid=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: sid=\"x;y\"; a=2\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: $sid=3; sid = 4 ; a b=5\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: a, sid=7,a=8\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: sid=1\r\nCookie: sid=2; a\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: a=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: =1; =\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nCookie: sid=12abc; sid=-3\r\n\r\n",
	// Set-Cookie: one cookie a header, its first name=value
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: sid=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: a=1; sid=2\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: $v=1; sid=2; Path=/\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: sid=\"a;b\"; Path=/x\r\nX-B: sid=9\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: sid=1; sid=2\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: Path=1; Path=2\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h\r\nX-Fwd: 1\r\nX-A: sid=1,2; Path=/\r\n\r\n",
}

// TestTargetFormsDifferential: path, pathq, base, baseq, base32 on each
// form of request target, and the request and response cookie fetches on
// edge cases of the Cookie and Set-Cookie grammar, through HAProxy 2.6 and
// goha: the responses must be equal byte for byte (Date and the origin's
// other headers masked).
func TestTargetFormsDifferential(t *testing.T) {
	origin := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		for _, h := range []string{"X-A", "X-B"} {
			if v := r.Header.Get(h); v != "" {
				w.Header()["Set-Cookie"] = append(w.Header()["Set-Cookie"], v)
			}
		}
		w.Header()["Date"] = nil
		w.WriteHeader(200)
	})
	cfg := httpHead + strings.ReplaceAll(targetFormsCfg, "ORIGIN", origin)
	requireRuns(t, strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"))
	ha, goha := startBoth(t, cfg)
	for _, req := range targetFormsRequests {
		if !strings.HasPrefix(req, "CONNECT") {
			req = strings.Replace(req, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1)
		}
		want, _ := exchangeFrom(t, "", ha, req, 300*time.Millisecond)
		got, _ := exchangeFrom(t, "", goha, req, 300*time.Millisecond)
		if !bytes.Contains(want, []byte("200 OK")) {
			t.Errorf("haproxy answered %q to %q", want, req)
		}
		if !bytes.Equal(want, got) {
			t.Errorf("%q\nhaproxy: %q\ngoha:    %q", req, want, got)
		}
	}
}
