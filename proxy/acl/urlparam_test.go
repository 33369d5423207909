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

// TestCookieElems: HAProxy 2.6.12's req.cook_cnt (without a name) and
// req.cook() on one Cookie header (found by TestFetchFuzzDifferential).
func TestCookieElems(t *testing.T) {
	for _, c := range []struct {
		hdr, first string
		n          int
	}{
		{"=,=1t", "1t", 1}, {"=", "", 0}, {"=;=1t", "", 2}, {"a=,b=2", "", 2}, {"a=1,b=2", "1", 2},
		{"x=,=", "", 1}, {"=,x", "", 0}, {"a=1,=,b=2", "1", 2}, {`q="a,b", r=2`, `"a,b"`, 2}, {"$a=1; b=2", "2", 1},
	} {
		n, first := 0, ""
		eachCookieElem(c.hdr, "", func(v string) bool {
			if n == 0 {
				first = v
			}
			n++
			return false
		})
		if n != c.n || first != c.first {
			t.Errorf("%q: %d cookies, first %q; want %d, %q", c.hdr, n, first, c.n, c.first)
		}
	}
	// named: the scan needs len(name)+2 bytes of the element, "s=" is none
	if eachCookieElem("s=,1", "s", func(string) bool { return true }) {
		t.Errorf(`"s=,1" holds an s cookie; HAProxy's req.cook_cnt(s) is 0`)
	}
}
