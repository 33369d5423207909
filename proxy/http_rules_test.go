package proxy

import "testing"

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
