package haproxy

// Handler of `timeout <name> <value>`; its row is in proxyKeywordTable.

var timeoutNames = []string{"client", "server", "connect", "check", "queue", "http-keep-alive",
	"http-request", "tunnel", "tarpit", "client-fin", "server-fin"}

func (s *state) parseTimeout(px *Proxy, l *proxyLine) bool {
	name, v := l.arg(1), l.arg(2)
	if !contains(timeoutNames, name) {
		s.alert(l.p, "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", name)
		return false
	}
	if v == "" {
		s.alert(l.p, "'timeout %s' expects an integer value (in milliseconds)", name)
		return false
	}
	d, bad, err := ParseTime(v)
	if err == nil {
		s.timerWarn(l.p, v)
	}
	switch {
	case err == errTimeOverflow:
		s.alert(l.p, "timer overflow in argument '%s' to 'timeout %s' (maximum value is 2147483647 ms or ~24.8 days)", v, name)
		return false
	case err != nil:
		s.alert(l.p, "unexpected character '%c' in 'timeout %s'", v[bad], name)
		return false
	case len(l.w) > 3:
		s.alert(l.p, "'timeout %s' : unexpected extra argument '%s' after value '%s'.", name, l.arg(3), v)
		return false
	}
	px.Timeouts[name] = d
	return false
}
