package acl

import (
	"strings"
	"testing"
)

// req.body_param's matching, as HAProxy 2.6 answered in
// TestBodyFetchDifferential: exact, case-sensitive names followed by
// '=', values as written; without a name, every value.
func TestBodyParam(t *testing.T) {
	for _, c := range []struct{ body, name, want string }{
		{"user=bob&b=x+yz", "b", "x+yz"},
		{"user=bob&b=x+yz", "user", "bob"},
		{"user=bob&b=x+yz", "", "bob,x+yz"},
		{"user=administer", "user", "administer"},
		{"user=administer", "use", ""},
		{"User=a&user=b&user=c", "user", "b,c"},
		{"=v&user=bob", "", "v,bob"},
		{"a&b=1", "a", ""},
	} {
		var got []string
		bodyParam(c.body, c.name, func(v value) bool { got = append(got, v.s); return false })
		if g := strings.Join(got, ","); g != c.want {
			t.Errorf("%q %q: %q, want %q", c.body, c.name, g, c.want)
		}
	}
}
