package haproxy

import (
	"fmt"
	"math"
	"strings"
)

// parseKeepAliveQueue reads `max-keep-alive-queue` as HAProxy 2.6 does
// (proxy_parse_max_ka_queue: strtol base 0, the value checked before the
// capability, stored plus one): it bounds the last server's queue a
// kept-alive request waits in under option prefer-last-server
// (proxy/prefer_last.go).
func (s *state) parseKeepAliveQueue(px *Proxy, l *kwLine) bool {
	v := l.arg(1)
	if v == "" {
		s.alert(l.p, "'%s' expects expects an integer value (or -1 to disable)", l.kw) // sic
		return false
	}
	n, bad := strtol0(v)
	if bad >= 0 {
		s.alert(l.p, "'%s' : unexpected character '%c' in integer value '%s'", l.kw, v[bad], v)
		return false
	}
	if px.Cap&CapBackend == 0 {
		s.warn(l.p, "%s will be ignored because %s '%s' has no backend capability", l.kw, px.Kind, px.Name)
	}
	px.KeepAliveQueue = int(int32(n)) + 1 // HAProxy keeps it in an int
	return false
}

// strtol0 reads v as C's strtol with base 0 (a sign, then hex after 0x,
// octal after 0, else decimal), clamped to 64 bits; bad is the index of
// the first byte it stops at, -1 when it read all of v.
func strtol0(v string) (n int64, bad int) {
	i, neg := 0, false
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		neg = v[i] == '-'
		i++
	}
	base, digits := int64(10), "0123456789"
	switch {
	case len(v) > i+2 && (v[i:i+2] == "0x" || v[i:i+2] == "0X") && strings.IndexByte("0123456789abcdefABCDEF", v[i+2]) >= 0:
		base, digits, i = 16, "0123456789abcdef", i+2
	case len(v) > i && v[i] == '0':
		base, digits = 8, "01234567"
	}
	for ; i < len(v); i++ {
		d := strings.IndexByte(digits, v[i]|0x20*byte(base/16))
		if d < 0 {
			if neg {
				n = -n
			}
			return n, i
		}
		if n < math.MaxInt64/base {
			n = n*base + int64(d)
		}
	}
	if neg {
		n = -n
	}
	return n, -1
}

// parseSessionSrvConns reads `max-session-srv-conns` as HAProxy 2.6 does:
// atoi of the word (so "abc" is 0, and so is "-2" in effect: no idle
// connection kept), alerting only a missing one, with HAProxy's own typo.
func (s *state) parseSessionSrvConns(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.d.Raw(Alert, l.p.File, l.p.Line, fmt.Sprintf("config : parsine [%s:%d] : '%s' expects a number. Got no argument", l.p.File, l.p.Line, l.kw))
		s.fileFatal = true
		return false
	}
	px.SessionSrvConns = max(int(atoi(l.arg(1))), 0)
	px.SessionSrvConnsSet = true
	return false
}
