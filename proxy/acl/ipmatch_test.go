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
