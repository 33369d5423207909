package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TCPKeepAlive is one side's TCP keepalive probe tuning: `clitcpka-cnt`,
// `clitcpka-idle`, `clitcpka-intvl` (client side, a frontend's) or their
// srvtcpka twins (server side, a backend's). Zero keeps the system's
// value (net.ipv4.tcp_keepalive_probes, _time, _intvl), as in HAProxy,
// which only sets the ones given. Whether keepalive is on at all is
// `option clitcpka` / `option srvtcpka` (`option tcpka` sets both sides
// the proxy has), in Proxy.Options.
type TCPKeepAlive struct {
	Count          int // TCP_KEEPCNT
	Idle, Interval int // TCP_KEEPIDLE, TCP_KEEPINTVL, in seconds
}

// parseTCPKeepAlive handles the six {cli|srv}tcpka-{cnt|idle|intvl}
// keywords with HAProxy 2.6's messages: a bad value is an alert; a side
// the proxy lacks is a warning, and the value is still kept (HAProxy
// stores it, unused).
func (s *state) parseTCPKeepAlive(px *Proxy, l *kwLine) bool {
	kw, v := l.kw, l.arg(1)
	if v == "" {
		s.alert(l.p, "'%s' expects an integer value", kw)
		return false
	}
	var n int
	if strings.HasSuffix(kw, "-cnt") {
		c, err := strconv.ParseInt(v, 0, 64) // strtol(.., 0): 0x10 and 010 too
		if err != nil {
			bad := v[badIntIndex(v)]
			s.alert(l.p, "'%s' : unexpected character '%c' in integer value '%s'", kw, bad, v)
			return false
		}
		n = int(uint32(c)) // HAProxy keeps it in an unsigned int
	} else {
		secs, msg := tcpkaSeconds(kw, v)
		if msg != "" {
			first, rest := splitMessage(msg)
			s.alert(l.p, "%s", first)
			s.d.List[len(s.d.List)-1].Extra = rest
			return false
		}
		n = secs
		s.timerWarn(l.p, v) // "5mx": read as 5m, with HAProxy's warning
	}
	side, ka, need := "frontend", &px.CliTCPKA, CapFrontend
	if strings.HasPrefix(kw, "srv") {
		side, ka, need = "backend", &px.SrvTCPKA, CapBackend
	}
	if px.Cap&need == 0 {
		s.warn(l.p, "%s will be ignored because %s '%s' has no %s capability", kw, px.Kind, px.Name, side)
	}
	switch {
	case strings.HasSuffix(kw, "-cnt"):
		ka.Count = n
	case strings.HasSuffix(kw, "-idle"):
		ka.Idle = n
	default:
		ka.Interval = n
	}
	return false
}

// badIntIndex is where strtol stops reading v (base 0).
func badIntIndex(v string) int {
	i := 0
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		i++
	}
	digits := "0123456789"
	if strings.HasPrefix(v[i:], "0x") || strings.HasPrefix(v[i:], "0X") {
		if i+2 < len(v) && strings.ContainsRune("0123456789abcdefABCDEF", rune(v[i+2])) {
			i, digits = i+2, "0123456789abcdefABCDEF"
		}
	} else if strings.HasPrefix(v[i:], "0") {
		digits = "01234567"
	}
	for i < len(v) && strings.IndexByte(digits, v[i]) >= 0 {
		i++
	}
	if i >= len(v) {
		return len(v) - 1 // overflow: HAProxy clamps; name the last byte
	}
	return i
}

// tcpkaSeconds reads a keepalive time whose unit defaults to seconds,
// rounded up to whole seconds as HAProxy's parse_time_err does, at most
// 2^31-1 seconds (measured: 2147483647000ms and 25d pass); msg is
// HAProxy's alert when the value is refused.
func tcpkaSeconds(kw, v string) (int, string) {
	over := fmt.Sprintf("timer overflow in argument '%s' to '%s' (maximum value is 2147483647 ms or ~24.8 days)", v, kw)
	i := 0
	for i < len(v) && isDigit(v[i]) {
		i++
	}
	if i == 0 {
		return 0, fmt.Sprintf("unexpected character '%c' in argument to <%s>.\n", v[0], kw)
	}
	n, err := strconv.ParseUint(v[:i], 10, 64)
	if err != nil {
		return 0, over
	}
	unit := time.Second // a bare number
	if i < len(v) {
		u, bad, err := ParseTime("1" + v[i:]) // the unit alone
		if err != nil {
			return 0, fmt.Sprintf("unexpected character '%c' in argument to <%s>.\n", v[i+bad-1], kw)
		}
		unit = u
	}
	const limit = 1<<31 - 1
	var secs uint64
	if unit >= time.Second {
		per := uint64(unit / time.Second)
		if n > limit/per {
			return 0, over
		}
		secs = n * per
	} else {
		if n > limit*uint64(time.Second/unit) {
			return 0, over
		}
		per := uint64(time.Second / unit)
		secs = (n + per - 1) / per
	}
	if secs > limit {
		return 0, over
	}
	return int(secs), ""
}
