package proxy

import "testing"

// TestReplaceTarget: each part of a request target as HAProxy 2.6
// rewrites it (the rows are cases TestRewriteRulesDifferential measured).
func TestReplaceTarget(t *testing.T) {
	for _, c := range []struct {
		target string
		part   TargetPart
		v      string
		want   string
	}{
		{"/p/a", PartQuery, "a=b", "/p/a?a=b"},
		{"/p/a?x=1", PartQuery, "a=b", "/p/a?a=b"},
		{"/p/a?x=1", PartQuery, "", "/p/a?"},
		{"/p/a", PartQuery, "", "/p/a"},
		{"http://h", PartQuery, "a=b", "http://h?a=b"},
		{"*", PartQuery, "a=b", "*?a=b"},
		{"http://h/p/a?x", PartPathQ, "/n?q", "http://h/n?q"},
		{"http://h", PartPathQ, "/n?q", "/n?q"},
		{"*", PartPathQ, "/n?q", "/n?q"},
		{"http://h/p/a?x", PartPathQ, "abc", "http://habc"},
		{"/p/a?x=1", PartPath, "/r", "/r?x=1"},
		{"/p/a?x=1", PartURI, "/new?z", "/new?z"},
	} {
		if got := string(replaceTarget(nil, []byte(c.target), c.part, c.v)); got != c.want {
			t.Errorf("replaceTarget(%q, %d, %q) = %q, want %q", c.target, c.part, c.v, got, c.want)
		}
	}
}

// TestTargetAuthority: the Host set-uri and replace-uri give a request.
func TestTargetAuthority(t *testing.T) {
	for _, c := range []struct {
		target, want string
		ok           bool
	}{
		{"/new?z", "", false},
		{"*", "", false},
		{"", "", false},
		{"http://other:81/x?y", "other:81", true},
		{"abc", "abc", true},
		{"?-/", "?-", true},
		{"://h-htt", ":", true},
		{"h2c+x://a/b", "a", true},
	} {
		got, ok := targetAuthority([]byte(c.target))
		if string(got) != c.want || ok != c.ok {
			t.Errorf("targetAuthority(%q) = %q, %v; want %q, %v", c.target, got, ok, c.want, c.ok)
		}
	}
}
