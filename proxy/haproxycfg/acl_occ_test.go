package haproxycfg

import (
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
)

// occurrenceACLs are the header fetches' occurrence rules under test: one
// acl each, named a<i>. Each matching acl makes the proxy add a header
// x-m-a<i>, which the backend lists in its answer.
var occurrenceACLs = []string{
	`hdr(x-role) -i admin`,
	`req.hdr(x-role) admin`,
	`hdr_beg(x-role) adm`,
	`hdr_end(x-role) min`,
	`hdr_sub(x-role) dmi`,
	`hdr_reg(x-role) ^adm`,
	`hdr_dom(x-d) example.com`,
	`hdr_dir(x-p) admin`,
	`hdr_len(x-role) 5`,
	`hdr(x-role) -m str admin`,
	`hdr(x-role) -m beg adm`,
	`req.hdr(x-role,1) admin`,
	`req.hdr(x-role,-1) admin`,
	`req.hdr(x-role,2) admin`,
	`req.fhdr(x-role) admin`,
	`req.fhdr(x-role) -m sub ", admin"`,
	`req.fhdr(x-role,1) admin`,
	`hdr_cnt(x-role) gt 1`,
	`req.hdr_cnt(x-role) eq 2`,
	`req.fhdr_cnt(x-role) eq 2`,
	`base_beg t/admin`,
	`base -m sub /admin`,
	`hdr(host) -i admin.example`,
	`cook(role) admin`,
	`req.cook(role) -m found`,
	`cook(role) -m beg adm`,
	// the pipeline's types: a converter's str output is matched as str
	`hdr(x-role),upper ADMIN`,
	`hdr(x-role),lower,upper ADMIN`,
	`src,lower 127.0.0.1`,
	`src,lower 127.0.0.0/8`,
	`src 127.0.0.0/8`,
	`hdr_cnt(x-role),lower 2`,
}

// occurrenceRequests exercise them: duplicate lines, comma lists, both.
var occurrenceRequests = []string{
	"GET / HTTP/1.1\r\nHost: t\r\nX-Role: user\r\nX-Role: admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-Role: user, admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-Role: admin, user\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-Role: admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nx-role: user,admin\r\nX-ROLE: guest\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-Role:  admin \r\nX-Role: admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-D: a.org, www.example.com\r\nX-P: /x, /y/admin/z\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nX-D: a.org\r\nX-D: example.com.evil\r\nX-P: /x/admin\r\n\r\n",
	"GET /admin/x HTTP/1.1\r\nHost: t\r\n\r\n",
	"GET /x/admin HTTP/1.1\r\nHost: T\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: admin.example\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: Admin.Example\r\nHost: admin.example\r\n\r\n",
	"GET http://admin.example/ HTTP/1.1\r\nHost: admin.example\r\n\r\n",
	"GET http://admin.example:80/admin HTTP/1.1\r\nHost: admin.example:80\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: a=1\r\nCookie: role=admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: role=user; role=admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: a=1, role=admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: a=1;role=admin ;b=2\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: ROLE=admin\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: t\r\nCookie: role=\"admin\"\r\n\r\n",
}

func occurrenceConfig(backend string) string {
	var b strings.Builder
	b.WriteString(httpHead + "frontend fe\n    bind BIND\n")
	for i, a := range occurrenceACLs {
		fmt.Fprintf(&b, "    acl a%02d %s\n", i, a)
	}
	for i := range occurrenceACLs {
		fmt.Fprintf(&b, "    http-request set-header x-m-a%02d 1 if a%02d\n", i, i)
	}
	b.WriteString("    default_backend be\nbackend be\n    server s1 " + backend + "\n")
	return b.String()
}

// startMatchEcho answers with the sorted names of the x-m-* headers the
// proxy added: the acls that matched.
func startMatchEcho(t *testing.T) string {
	t.Helper()
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		var m []string
		for k := range r.Header {
			if k = strings.ToLower(k); strings.HasPrefix(k, "x-m-") {
				m = append(m, k[4:])
			}
		}
		sort.Strings(m)
		io.WriteString(rw, strings.Join(m, " "))
	})
	return origin
}

// TestHeaderOccurrenceDifferential: each header fetch's occurrence rule
// (every line, every comma-separated value, <occ>, counts, base, Host of an
// absolute URI) against HAProxy 2.6 with the same acls and requests.
func TestHeaderOccurrenceDifferential(t *testing.T) {
	ha, goha := startBoth(t, occurrenceConfig(startMatchEcho(t)))
	matched := func(addr, req string) string {
		return exchangeSole(t, addr, strings.Replace(req, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1)).Body
	}
	for _, req := range occurrenceRequests {
		want, got := matched(ha, req), matched(goha, req)
		if want != got {
			t.Errorf("%q:\n haproxy matched %q\n goha    matched %q", req, want, got)
		}
	}
}
