package balance

import (
	"sync/atomic"
	"testing"
)

func atomicOne() (a atomic.Int64) { a.Store(1); return }

func TestURICut(t *testing.T) {
	for _, tc := range []struct {
		args []string
		uri  string
		want string
	}{
		{nil, "/a/b?c=1", "/a/b"},
		{[]string{"whole"}, "/a/b?c=1", "/a/b?c=1"},
		{[]string{"depth", "1"}, "/a/b/c", "/a"},
		{[]string{"depth", "2"}, "/a/b/c?x", "/a/b"},
		{[]string{"depth", "5"}, "/a/b", "/a/b"},
		{[]string{"len", "3"}, "/abcdef", "/ab"},
		{[]string{"len", "30"}, "/abc?x", "/abc"},
		{[]string{"len", "4", "whole"}, "/a?bcdef", "/a?b"},
		{nil, "http://h.example/p/q?x", "http://h.example/p/q"},
		{[]string{"path-only"}, "http://h.example/p/q?x", "/p/q"},
		{[]string{"path-only"}, "http://h.example", ""},
		{[]string{"path-only", "whole"}, "/p?x", "/p?x"},
	} {
		u := specOf(t, "uri", tc.args).URI
		k := uriKey{length: u.Len, depth: u.Depth, whole: u.Whole, pathOnly: u.PathOnly}
		if got := k.cut(tc.uri); got != tc.want {
			t.Errorf("uri %q %q: got %q want %q", tc.args, tc.uri, got, tc.want)
		}
	}
}

func TestFindParam(t *testing.T) {
	for _, tc := range []struct {
		q, name, want string
		ok            bool
	}{
		{"a=1&b=2", "b", "2", true},
		{"a=1&b=2", "a", "1", true},
		{"ab=1&b=2", "b", "2", true},
		{"b", "b", "", false},
		{"b=", "b", "", true},
		{"x=1&b=&c=3", "b", "", true},
		{"bb=1", "b", "", false},
		{"", "b", "", false},
		{"c=b=1", "b", "", false},
	} {
		got, ok := findParam(tc.q, tc.name)
		if got != tc.want || ok != tc.ok {
			t.Errorf("findParam(%q, %q) = %q %v, want %q %v", tc.q, tc.name, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDomainOnly(t *testing.T) {
	for in, want := range map[string]string{
		"www.example.com":      "example",
		"example.com":          "example",
		"a.b.example.co":       "example",
		"localhost":            "localhost",
		"shop.example.org:443": "example",
		".com":                 "",
	} {
		if got := domainOnly(in); got != want {
			t.Errorf("domainOnly(%q) = %q want %q", in, got, want)
		}
	}
}
