package uripath

import "testing"

// TestPath: the target forms HAProxy 2.6's http_parse_path tells apart
// (measured through path and balance uri path-only in proxy/haproxycfg).
func TestPath(t *testing.T) {
	for in, want := range map[string]string{
		"/a/b?q":                "/a/b?q",
		"/":                     "/",
		"*":                     "",
		"*x":                    "",
		"":                      "",
		"ex.example:443":        "",
		"http://ex.example":     "",
		"http://ex.example?q=1": "",
		"http://ex.example/a?q": "/a?q",
		"HTTPS://u@h:8443/p/q":  "/p/q",
		"x-y+z.1://h/a":         "/a",
		"1x://h/a":              "",
		"http:/a/b":             "",
		"h.example/a/b":         "",
		"http://h//":            "//",
	} {
		got, ok := Path(in)
		if got != want || ok != (want != "") {
			t.Errorf("Path(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}
