package proxy

import "testing"

func TestNormalizeTarget(t *testing.T) {
	for _, tc := range []struct{ in, norm, want string }{
		{"/a//b///c", "path-merge-slashes", "/a/b/c"},
		{"//a?x=//y", "path-merge-slashes", "/a?x=//y"},
		{"http://h//a//b?c//d", "path-merge-slashes", "http://h/a/b?c//d"},
		{"/p/%2f%aa%zz%4?q=%ab", "percent-to-uppercase", "/p/%2F%AA%zz%4?q=%AB"},
		{"/p%a", "percent-to-uppercase", "/p%a"},
		{"/p%a", "percent-to-uppercase strict", ""},
		{"/f?a=1#frag//x", "fragment-strip", "/f?a=1"},
		{"/f", "fragment-strip", "/f"},
		{"/f#a#b?x#", "fragment-encode", "/f%23a%23b?x%23"},
		{"/a/./b/.", "path-strip-dot", "/a/b/"},
		{"/./", "path-strip-dot", "/"},
		{"/a/./b?./x", "path-strip-dot", "/a/b?./x"},
		{"/a/b/../c", "path-strip-dotdot", "/a/c"},
		{"/a/../../c", "path-strip-dotdot", "/../c"},
		{"/a/../../c", "path-strip-dotdot full", "/c"},
		{"/a/b/..", "path-strip-dotdot", "/a/"},
		{"/..", "path-strip-dotdot", "/../"},
		{"/..", "path-strip-dotdot full", "/"},
		{"/x?b=1&a=2&b=0&a", "query-sort-by-name", "/x?a=2&a&b=1&b=0"},
		{"/x?c&", "query-sort-by-name", "/x?c"},
		{"/x", "query-sort-by-name", "/x"},
		{"/%41%2f%7e%2D%zz", "percent-decode-unreserved", "/A%2f~-%zz"},
		{"/%41%z", "percent-decode-unreserved strict", ""},
	} {
		got, ok := normalizeTarget(nil, []byte(tc.in), tc.norm)
		if !ok {
			got = nil
		}
		if string(got) != tc.want {
			t.Errorf("%s %q = %q, want %q", tc.norm, tc.in, got, tc.want)
		}
	}
}
