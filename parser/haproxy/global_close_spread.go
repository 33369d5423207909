package haproxy

import "time"

// CloseSpread is the global `close-spread-time`: at a soft stop, the
// closing of the front connections is spread over Window (the idle ones
// closed at random times within it, the active ones told to close with
// a growing probability), or, Infinite, not done by the proxy at all
// (no "Connection: close", no GOAWAY; idle connections end at their
// timeouts). Zero: HAProxy's default, everything closed at once.
type CloseSpread struct {
	Window   time.Duration
	Infinite bool
}

// globalCloseSpreadTime parses `close-spread-time <time>|infinite` as
// HAProxy 2.6.12 does (measured with -c): a later line replaces an
// earlier one, words after the value are ignored.
func (s *state) globalCloseSpreadTime(g *Global, l *kwLine) {
	v := l.arg(1)
	switch {
	case v == "":
		s.alert(l.p, "'close-spread-time' expects <time> as argument.\n")
		return
	case v == "infinite":
		g.CloseSpread = CloseSpread{Infinite: true}
		return
	}
	d, bad, err := ParseTime(v)
	switch {
	case err == errTimeOverflow:
		s.alert(l.p, "timer overflow in argument '%s' to 'close-spread-time' (maximum value is 2147483647 ms or ~24.8 days)", v)
		return
	case err != nil:
		s.alert(l.p, "unexpected character '%c' in argument to <close-spread-time>.\n", v[bad])
		return
	}
	s.timerWarn(l.p, v)
	g.CloseSpread = CloseSpread{Window: d}
}
