package haproxy

import "testing"

// TestCheckSetTimeout: HAProxy 2.6.12's messages for set-timeout
// arguments, as `haproxy -c` printed them (one rule per run: the first
// such error stops HAProxy's file).
func TestCheckSetTimeout(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"server", "10s"}, ""},
		{[]string{"tunnel", "15min"}, ""}, // read as 15m, with timerWarn's warning
		{[]string{"server", "req.hdr(x-t),mul(2)"}, ""},
		{[]string{"server"}, "expects exactly 2 arguments."},
		{[]string{"client", "1s"}, "'set-timeout' rule supports 'server'/'tunnel' (got 'client')."},
		{[]string{"server", "10x"}, "unexpected character 'x' in rule 'set-timeout server'."},
		{[]string{"tunnel", "abc"}, "unexpected character 'a' in rule 'set-timeout tunnel'."},
		{[]string{"server", "foo(1)"}, "unexpected character 'f' in rule 'set-timeout server'."},
		{[]string{"server", "0"}, "null value is not valid for a 'set-timeout server' rule."},
		{[]string{"server", "0min"}, "null value is not valid for a 'set-timeout server' rule."},
		{[]string{"server", "3000000000"}, "timer overflow in argument '3000000000' to rule 'set-timeout server' (maximum value is 2147483647 ms or ~24.8 days)."},
		{[]string{"server", "99999999999999999999"}, "timer overflow in argument '99999999999999999999' to rule 'set-timeout server' (maximum value is 2147483647 ms or ~24.8 days)."},
	} {
		if got := checkSetTimeout(c.args); got != c.want {
			t.Errorf("%q: %q, want %q", c.args, got, c.want)
		}
	}
}
