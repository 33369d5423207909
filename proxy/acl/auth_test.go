package acl

import (
	"encoding/base64"
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

func authRequest(values ...string) *proxy.RequestInfo {
	req := &http1.Request{Method: []byte("GET"), Target: []byte("/")}
	for _, v := range values {
		req.Headers = append(req.Headers, http1.Header{Name: []byte("Authorization"), Value: []byte(v)})
	}
	return proxy.NewRequestInfo(netip.AddrPort{}, req)
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

// TestCredentials: HAProxy 2.6's reading of the Authorization field
// (get_http_auth), each row measured against it by TestAuthDifferential.
func TestCredentials(t *testing.T) {
	tests := []struct {
		values     []string
		kind       authKind
		user, pass string
	}{
		{nil, authNone, "", ""},
		{[]string{"Basic " + b64("u:p")}, authBasic, "u", "p"},
		{[]string{"basic " + b64("u:p")}, authBasic, "u", "p"},
		{[]string{"B " + b64("u:p")}, authBasic, "u", "p"},        // a prefix of "Basic"
		{[]string{"Basicx " + b64("u:p")}, authNone, "", ""},      // longer than "Basic"
		{[]string{"Basic    " + b64("u:p")}, authBasic, "u", "p"}, // spaces skipped
		{[]string{"Basic " + b64("a:b:c")}, authBasic, "a", "b:c"},
		{[]string{"Basic " + b64("u:")}, authBasic, "u", ""},
		{[]string{"Basic " + b64("u:p\x00q")}, authBasic, "u", "p"}, // C strings
		{[]string{"Basic " + b64("nocolon")}, authNone, "", ""},
		{[]string{"Basic Y2xlYXI6cH"}, authNone, "", ""}, // not base64 of a whole length
		{[]string{"Basic"}, authNone, "", ""},
		{[]string{"Bearer abc"}, authBearer, "", ""},
		{[]string{"Bear abc"}, authBearer, "", ""},
		{[]string{"Digest x=1"}, authNone, "", ""},
		{[]string{"Basic " + b64("u:p") + ", Basic " + b64("v:q")}, authBasic, "u", "p"}, // the first value
		{[]string{"Basic " + b64("u:no"), "Basic " + b64("u:p")}, authBasic, "u", "no"},  // the first field
	}
	for _, tc := range tests {
		kind, user, pass := credentials(authRequest(tc.values...))
		if kind != tc.kind || user != tc.user || pass != tc.pass {
			t.Errorf("%q: got %v %q %q, want %v %q %q", tc.values, kind, user, pass, tc.kind, tc.user, tc.pass)
		}
	}
}

// TestUserlistCheck: insecure passwords compare as text, hashes through
// crypt(3); unknown users and users without a password never match; the
// http_auth_group ACL matches on the user's groups.
func TestUserlistCheck(t *testing.T) {
	ul := haproxy.Userlist{Name: "L", Groups: []string{"g", "h"}, Users: []haproxy.User{
		{Name: "clear", Password: "pw", Insecure: true, Groups: []string{"g"}},
		{Name: "sha", Password: "$6$Zx81bq7Lm0$vXdP3JT3DM/mPAmO/T9kk5ZNuDb8i1Yw6eK9kzDe4vk1US4wtndi5WvqVei.wyB7sNpxFisZQHo4AqpOA/062/", Groups: []string{"h"}},
		{Name: "nopw", NoPassword: true},
	}}
	l := compileUserlist(&ul)
	for _, tc := range []struct {
		user, pass string
		want       bool
	}{
		{"clear", "pw", true}, {"clear", "PW", false}, {"sha", "sha512pw", true}, {"sha", "pw", false},
		{"nobody", "pw", false}, {"nopw", "", false},
	} {
		if _, got := l.check(tc.user, tc.pass); got != tc.want {
			t.Errorf("check(%q, %q) = %v", tc.user, tc.pass, got)
		}
	}
	acl, err := compileAuthGroup(haproxy.ACL{Sample: haproxy.ParseSample("http_auth_group(L)"), Match: haproxy.Match{Patterns: []string{"h"}}},
		[]haproxy.Userlist{ul})
	if err != nil {
		t.Fatal(err)
	}
	if !acl.Match(authRequest("Basic "+b64("sha:sha512pw"))) || acl.Match(authRequest("Basic "+b64("clear:pw"))) {
		t.Error("http_auth_group(L) h: wrong membership")
	}
}
