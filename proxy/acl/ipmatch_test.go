package acl

import (
	"testing"

	"github.com/goha-lb/goha/parser/haproxy"
)

// TestMatchFuzzFound: HAProxy 2.6.12's answers on the inputs
// TestACLFuzzDifferential found goha answering otherwise.
func TestMatchFuzzFound(t *testing.T) {
	for _, c := range []struct {
		method haproxy.MatchMethod
		pats   []string
		ci     bool
		v      string
		want   bool
	}{
		{haproxy.MatchIP, []string{"1.2.3.0/24"}, false, "::1.2.3.4", true}, // ::a.b.c.d
		{haproxy.MatchIP, []string{"1.2.3.0/24"}, false, "::ffff:1.2.3.4", true},
		{haproxy.MatchIP, []string{"1.2.3.0/24"}, false, "2002:102:304::1", true}, // 6to4
		{haproxy.MatchIP, []string{"1.2.3.0/24"}, false, "1.2.3.4:80", true},      // buf2ip
		{haproxy.MatchIP, []string{"0.0.0.0/0"}, false, "::1", true},              // ::0.0.0.1
		{haproxy.MatchIP, []string{"1.2.3.0/24"}, false, "::1", false},
		{haproxy.MatchIP, []string{"::ffff:1.2.3.0/120"}, false, "1.2.3.4", true},
		{haproxy.MatchIP, []string{"::ffff:1.2.3.0/120"}, false, "::1.2.3.4", false},
		{haproxy.MatchIP, []string{"255.0.255.0/255.0.255.0"}, false, "255.1.255.1", true},
		{haproxy.MatchIP, []string{"255.0.255.0/255.0.255.0"}, false, "255.1.0.1", false}, // not /8
		{haproxy.MatchIP, []string{"::1"}, false, "fe80::1%eth0", false},
		{haproxy.MatchStr, []string{"é"}, true, "É", false}, // -i is ASCII only
		{haproxy.MatchSub, []string{"é"}, true, "xÉ", false},
		{haproxy.MatchStr, []string{"abc"}, true, "ABC", true},
		{haproxy.MatchInt, []string{"lt", "0"}, false, "-9223372036854775808", true},
		{haproxy.MatchInt, []string{"le", "0"}, false, "-9223372036854775809", true}, // saturated
	} {
		m, err := matchers[c.method](c.pats, c.ci)
		if err != nil {
			t.Fatalf("%v %q: %v", c.method, c.pats, err)
		}
		if got := m(c.v); got != c.want {
			t.Errorf("%v %q ci=%v on %q: %v, want %v", c.method, c.pats, c.ci, c.v, got, c.want)
		}
	}
}

// TestMapFuzzFound: HAProxy 2.6.12's map answers on the inputs
// TestMapFuzzDifferential found goha answering otherwise.
func TestMapFuzzFound(t *testing.T) {
	ips := []mapEntry{{key: "10.0.0.0/8", value: "ten"}, {key: "255.0.255.0/255.0.255.0", value: "nc"}, {key: "2001:db8::/32", value: "doc"}}
	ipt, err := newMapTable(mapIP, haproxy.SampleStr, ips)
	if err != nil {
		t.Fatal(err)
	}
	for a, want := range map[string]string{"255.14.97.4": "", "255.9.255.7": "nc", "::ffff:255.1.255.1": "nc", "::10.1.2.3": "ten", "2002:a01:203::": "ten", "2001:db8::1": "doc"} {
		v := value{t: haproxy.SampleStr, s: a}
		strToAddr(&v)
		got := ""
		if i := ipt.find(&v); i >= 0 {
			got = ipt.rows[i].val.s
		}
		if got != want {
			t.Errorf("map_ip on %s: %q, want %q", a, got, want)
		}
	}
	strs := []mapEntry{{key: ".", value: "DOT"}, {key: "abc", value: "A"}}
	st, err := newMapTable(mapStr, haproxy.SampleStr, strs)
	if err != nil {
		t.Fatal(err)
	}
	if v := (value{t: haproxy.SampleStr, s: ".\x00_"}); st.find(&v) != 0 {
		t.Errorf("map_str on %q: no match, want DOT (a C string)", v.s)
	}
	for s, ok := range map[string]bool{"99999999999999999999": true, "-7": true, "12x": false, "--1": false} {
		if _, got := typedOut(haproxy.SampleSInt, s); got != ok {
			t.Errorf("map value %q as sint: %v, want %v", s, got, ok)
		}
	}
}
