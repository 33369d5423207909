package acl

import (
	"fmt"
	"testing"
)

// TestURLParams: HAProxy 2.6.12's url_param answers (found by
// TestFetchFuzzDifferential): a name without '=' is no value, a name-less
// lookup takes the value after the first '='.
func TestURLParams(t *testing.T) {
	for _, c := range []struct {
		q, name string
		delim   byte
		want    string
	}{
		{"a&a=1&", "a", '?', `["1"]`},
		{"a;a=b=c&b&a=+", "a", '?', `["b=c" "+"]`},
		{"a&b=2", "", '?', `["2"]`},
		{"a", "a", '?', `[]`},
		{"=6;a", "", '?', `["6"]`},
		{"b?a=1", "a", ';', `[]`}, // with ';', '?' separates nothing
		{"x=1;a=2", "a", ';', `["2"]`},
	} {
		var got []string
		urlParams(c.q, c.name, c.delim, func(v string) bool { got = append(got, v); return false })
		if s := fmt.Sprintf("%q", got); s != c.want {
			t.Errorf("%q %q: %s, want %s", c.q, c.name, s, c.want)
		}
	}
}
