package proxy

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

func TestSetPath(t *testing.T) {
	for _, c := range []struct{ target, path, want string }{
		{"/a/b?x=1", "/n", "/n?x=1"},
		{"/a", "/n", "/n"},
		{"http://h:81/a?q", "/n", "http://h:81/n?q"},
		{"http://h", "/n", "http://h/n"},
		{"http://h?q", "/n", "http://h/n?q"},
		{"*", "/n", "/n"},
	} {
		if got := string(setPath(nil, []byte(c.target), c.path)); got != c.want {
			t.Errorf("setPath(%q, %q) = %q, want %q", c.target, c.path, got, c.want)
		}
	}
}

func TestRedirectLocation(t *testing.T) {
	for _, c := range []struct {
		r            RedirectRule
		target, want string
	}{
		{RedirectRule{Kind: RedirectScheme, Target: "https", Code: 301}, "/x?y", "https://h/x?y"},
		{RedirectRule{Kind: RedirectScheme, Target: "https", Code: 301}, "*", "https://h/"},
		{RedirectRule{Kind: RedirectPrefix, Target: "/p", DropQuery: true, AppendSlash: true}, "/a?q", "/p/a/"},
		{RedirectRule{Kind: RedirectPrefix, Target: "/"}, "/a?q", "/a?q"},
		{RedirectRule{Kind: RedirectPrefix, Target: "/p"}, "http://h2/a", "/p/a"},
		{RedirectRule{Kind: RedirectLocation, Target: "/l", AppendSlash: true}, "/a", "/l"},
	} {
		out := string(c.r.appendResponse(nil, c.r.Target, []byte(c.target), []byte("h")))
		want := "location: " + c.want + "\r\n"
		if !contains(out, want) {
			t.Errorf("%+v on %q:\n%s\nwant %q", c.r, c.target, out, want)
		}
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestDynamicReplyBuild: a log-format reply is built as a literal one
// (content-length, content-type with a payload only), and a header whose
// value comes out empty is left out, as HAProxy 2.6 does.
func TestDynamicReplyBuild(t *testing.T) {
	name := func(r *RequestInfo) string { return string(r.Header("x-name")) }
	d := &DynamicReply{Status: 200, ContentType: "text/plain", Body: func(r *RequestInfo) string { return "hi " + name(r) },
		Headers: []DynamicHeader{{Name: "x-n", Format: name}, {Name: "x-lit", Value: "v"}}}
	req := func(hdrs ...string) *RequestInfo {
		hr := &http1.Request{Method: []byte("GET"), Target: []byte("/")}
		for i := 0; i+1 < len(hdrs); i += 2 {
			hr.Headers = append(hr.Headers, http1.Header{Name: []byte(hdrs[i]), Value: []byte(hdrs[i+1])})
		}
		return NewRequestInfo(netip.AddrPort{}, hr)
	}
	for _, tc := range []struct {
		r    *RequestInfo
		want string
	}{
		{req("x-name", "bob"), "HTTP/1.1 200 OK\r\nx-n: bob\r\nx-lit: v\r\ncontent-length: 6\r\ncontent-type: text/plain\r\n\r\nhi bob"},
		{req(), "HTTP/1.1 200 OK\r\nx-lit: v\r\ncontent-length: 3\r\ncontent-type: text/plain\r\n\r\nhi "},
	} {
		if got := string(d.Build(tc.r)); got != tc.want {
			t.Errorf("got %q\nwant %q", got, tc.want)
		}
	}
	empty := &DynamicReply{Status: 201, ContentType: "text/plain", Body: func(*RequestInfo) string { return "" }}
	if got := string(empty.Build(req())); got != "HTTP/1.1 201 Created\r\ncontent-length: 0\r\n\r\n" {
		t.Errorf("empty payload: %q", got)
	}
}
