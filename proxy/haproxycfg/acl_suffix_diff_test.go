package haproxycfg

import (
	"fmt"
	"strings"
	"testing"
)

// suffixACLs are the -m suffixed ACL keywords (path_dir, url_reg, cook_len,
// urlp_dom, ...) no other test ran beside HAProxy, with -i and several
// patterns where they change the match.
var suffixACLs = []string{
	"path_dir api", "path_dir -i API", "path_dom example", "path_len 5", "path_len 0:3", "path_reg ^/a.*z$", "path_reg -i ^/A", "path_sub foo", "path_sub -i FOO bar",
	"base_dir api", "base_dom example", "base_dom -i H", "base_end /z", "base_end -i /Z", "base_len 10", "base_len ge 12", "base_reg -i ^h\\.example/A", "base_sub le/a", "base_sub .ex",
	"url_dir api", "url_dir -i q=1", "url_dom example", "url_end z", "url_end =1", "url_len 6", "url_len lt 6", "url_reg \\?id=[0-9]+$", "url_reg -i ^HTTP://", "url_sub id=", "url_sub -i QUERY",
	"urlp_beg(id) 4", "urlp_dir(id) 42", "urlp_dom(id) x", "urlp_end(id) 2", "urlp_len(id) 2", "urlp_len(id) 0", "urlp_reg(id) ^[0-9]+$", "urlp_sub(id) 4", "urlp_sub(id) -i X", "urlp_beg(q) -m found",
	"cook_beg(sid) ab", "cook_beg(sid) -i AB", "cook_dir(sid) b", "cook_dom(sid) c", "cook_end(sid) cd", "cook_len(sid) 4", "cook_len(sid) 0", "cook_reg(sid) ^a.c", "cook_sub(sid) bc", "cook_sub(sid) -i BC",
}

var suffixRequests = []string{
	"GET /api/foo HTTP/1.1\r\nHost: h.example\r\n\r\n",
	"GET /API/Foo?id=42 HTTP/1.1\r\nHost: H\r\nCookie: sid=abcd\r\n\r\n",
	"GET /a/b/z HTTP/1.1\r\nHost: h.example\r\nCookie: x=1; sid=a.b.c.cd\r\n\r\n",
	"GET /x/example/y?q=1 HTTP/1.1\r\nHost: example\r\n\r\n",
	"GET http://h.example/abz?id=x4 HTTP/1.1\r\nHost: h.example\r\nCookie: sid=\r\n\r\n",
	"GET /?id= HTTP/1.1\r\nHost: a\r\nCookie: sid=ABCD; sid=zz\r\n\r\n",
	"GET /foo/bar/ HTTP/1.1\r\nHost: example.com:80\r\n\r\n",
	"GET /a HTTP/1.1\r\nHost: b\r\nCookie: sid=b/c\r\n\r\n",
	"GET /p?a=1&id=4.42&id=7 HTTP/1.1\r\nHost: h\r\n\r\n",
	"OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",
	"GET /abcd?Query=1&id=a.x.b HTTP/1.1\r\nHost: h\r\nCookie: a=1; sid=\r\n\r\n",
	"GET / HTTP/1.1\r\nHost: h.example\r\nCookie: sid=\r\n\r\n",
	"GET http://h.example HTTP/1.1\r\nHost: h.example\r\nCookie: sid=\"a;b\"; $x=1\r\n\r\n",
}

// TestSuffixACLDifferential: the acls above on the same requests through
// HAProxy 2.6 and goha (matched acls become request headers the origin
// echoes): the matched sets must be equal, and every acl must match on at
// least one request under HAProxy (the test's requests reach them).
func TestSuffixACLDifferential(t *testing.T) {
	ha, goha := startBoth(t, matchConfig(suffixACLs, startMatchEcho(t)))
	ever := map[string]bool{}
	for _, req := range suffixRequests {
		req = strings.Replace(req, "\r\n\r\n", "\r\nConnection: close\r\n\r\n", 1)
		want, got := matchedACLs(t, ha, req), matchedACLs(t, goha, req)
		for _, n := range strings.Fields(want) {
			ever[n] = true
		}
		for _, d := range symDiff(want, got) {
			var i int
			if _, err := fmt.Sscanf(d.name, "a%03d", &i); err == nil && i < len(suffixACLs) {
				t.Errorf("%q on %q: matches only under %s", suffixACLs[i], req, d.side)
			} else {
				t.Errorf("%s on %q: only under %s", d.name, req, d.side)
			}
		}
	}
	for i, a := range suffixACLs {
		if !ever[fmt.Sprintf("a%03d", i)] {
			t.Errorf("%q never matched under HAProxy: the requests do not exercise it", a)
		}
	}
}
