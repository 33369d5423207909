package proxy

import "testing"

func TestNormalizeTarget(t *testing.T) {
	for _, tc := range []struct{ in, norm, want string }{
		{"/a//b///c", "path-merge-slashes", "/a/b/c"},
		{"//a?x=//y", "path-merge-slashes", "/a?x=//y"},
		{"http://h//a//b?c//d", "path-merge-slashes", "http://h/a/b?c//d"},
		{"/p/%2f%aa%zz%4?q=%ab", "percent-to-uppercase", "/p/%2F%AA%zz%4?q=%AB"},
		{"/p%a", "percent-to-uppercase", "/p%a"},
		{"/f?a=1#frag//x", "fragment-strip", "/f?a=1"},
		{"/f", "fragment-strip", "/f"},
	} {
		if got := string(normalizeTarget(nil, []byte(tc.in), tc.norm)); got != tc.want {
			t.Errorf("%s %q = %q, want %q", tc.norm, tc.in, got, tc.want)
		}
	}
}
