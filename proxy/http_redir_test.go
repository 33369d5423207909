package proxy

import "testing"

func TestServerRedirect(t *testing.T) {
	for _, c := range []struct {
		prefix, target, want string
		ok                   bool
	}{
		{"http://img", "/a/b?x=1", "http://img/a/b?x=1", true},
		{"http://img", "http://other/z?q", "http://img/z?q", true},
		{"http://img", "https://u@h:8/", "http://img/", true},
		{"/", "/keep?this", "/keep?this", true}, // "/" keeps the path alone
		{"http://img", "*", "", false},
		{"http://img", "example.com:443", "", false},
		{"http://img", "http://host", "", false},
	} {
		path, ok := redirectPath(c.target)
		if ok != c.ok {
			t.Errorf("redirectPath(%q) ok = %v", c.target, ok)
			continue
		}
		if !ok {
			continue
		}
		want := "HTTP/1.1 302 Found\r\ncache-control: no-cache\r\ncontent-length: 0\r\nlocation: " + c.want + "\r\n\r\n"
		if got := string(serverRedirect(c.prefix, path)); got != want {
			t.Errorf("%q %q: %q, want %q", c.prefix, c.target, got, want)
		}
	}
}
