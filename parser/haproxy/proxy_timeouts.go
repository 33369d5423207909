package haproxy

import "time"

// Timeouts are a proxy's `timeout <name> <value>` settings, one field per
// timeout HAProxy 2.6 has; zero = not set (defaults.go says what an unset
// one means).
type Timeouts struct {
	Client, ClientFin          time.Duration
	Server, ServerFin          time.Duration
	Connect, Queue, Tunnel     time.Duration
	HTTPRequest, HTTPKeepAlive time.Duration
	Check, Tarpit              time.Duration
}

// timeoutKeywords are the names `timeout` takes, in the order HAProxy's
// message lists them, each with its field.
var timeoutKeywords = []struct {
	name  string
	field func(*Timeouts) *time.Duration
}{
	{"client", func(t *Timeouts) *time.Duration { return &t.Client }},
	{"server", func(t *Timeouts) *time.Duration { return &t.Server }},
	{"connect", func(t *Timeouts) *time.Duration { return &t.Connect }},
	{"check", func(t *Timeouts) *time.Duration { return &t.Check }},
	{"queue", func(t *Timeouts) *time.Duration { return &t.Queue }},
	{"http-keep-alive", func(t *Timeouts) *time.Duration { return &t.HTTPKeepAlive }},
	{"http-request", func(t *Timeouts) *time.Duration { return &t.HTTPRequest }},
	{"tunnel", func(t *Timeouts) *time.Duration { return &t.Tunnel }},
	{"tarpit", func(t *Timeouts) *time.Duration { return &t.Tarpit }},
	{"client-fin", func(t *Timeouts) *time.Duration { return &t.ClientFin }},
	{"server-fin", func(t *Timeouts) *time.Duration { return &t.ServerFin }},
}

// timeoutField is the field of t that `timeout <name>` sets, nil for a
// name HAProxy does not know.
func timeoutField(t *Timeouts, name string) *time.Duration {
	for _, k := range timeoutKeywords {
		if k.name == name {
			return k.field(t)
		}
	}
	return nil
}

// parseTimeout is `timeout <name> <value>`; its row is in
// proxyKeywordTable.
func (s *state) parseTimeout(px *Proxy, l *kwLine) bool {
	name, v := l.arg(1), l.arg(2)
	field := timeoutField(&px.Timeouts, name)
	if field == nil {
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
	*field = d
	return false
}

// Names are the names of the timeouts set (non-zero), in the order of
// HAProxy's message.
func (t Timeouts) Names() []string {
	var out []string
	for _, k := range timeoutKeywords {
		if *k.field(&t) != 0 {
			out = append(out, k.name)
		}
	}
	return out
}
