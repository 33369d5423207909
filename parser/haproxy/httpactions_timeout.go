package haproxy

import (
	"errors"
	"fmt"
)

// checkSetTimeout is HAProxy 2.6's check of http-request set-timeout
// server|tunnel <time>|<expr>: a word that does not read as a time is an
// expression, which must start with a known fetch; the message then names
// the byte the time reading stopped at.
func checkSetTimeout(args []string) string {
	if len(args) < 2 {
		return "expects exactly 2 arguments."
	}
	name, v := args[0], args[1]
	if name != "server" && name != "tunnel" {
		return fmt.Sprintf("'set-timeout' rule supports 'server'/'tunnel' (got '%s').", name)
	}
	d, bad, _, err := parseTime(v)
	switch {
	case errors.Is(err, errTimeOverflow):
		return fmt.Sprintf("timer overflow in argument '%s' to rule 'set-timeout %s' (maximum value is 2147483647 ms or ~24.8 days).", v, name)
	case err == nil && d == 0:
		return fmt.Sprintf("null value is not valid for a 'set-timeout %s' rule.", name)
	case err == nil:
		return "" // text after the unit: HAProxy warns (timerWarn) and reads the time
	}
	if fetchSet[fetchName(v)] {
		return "" // proxy/haproxycfg compiles the expression
	}
	if bad >= len(v) {
		return fmt.Sprintf("unexpected character '' in rule 'set-timeout %s'.", name)
	}
	return fmt.Sprintf("unexpected character '%c' in rule 'set-timeout %s'.", v[bad], name)
}
