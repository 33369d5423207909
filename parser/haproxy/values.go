package haproxy

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"
)

// errTimeOverflow is a time beyond HAProxy's 2^31-1 ms limit.
var errTimeOverflow = fmt.Errorf("timer overflow")

// ParseTime reads an HAProxy time value: digits then an optional unit
// (us, ms, s, m, h, d), milliseconds when there is none. On a bad character
// it returns that character's index (HAProxy names it in its message).
// Like HAProxy 2.6, text after a complete unit is ignored ("15min" is 15m,
// "10sec" is 10s); TimerTrailing tells where such text starts, for the
// warning HAProxy prints.
func ParseTime(s string) (time.Duration, int, error) {
	d, bad, _, err := parseTime(s)
	return d, bad, err
}

// TimerTrailing returns the index of the first byte after a valid time
// value's unit, or -1 when the value ends there (or is invalid).
func TimerTrailing(s string) int {
	_, _, trail, err := parseTime(s)
	if err != nil {
		return -1
	}
	return trail
}

func parseTime(s string) (time.Duration, int, int, error) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		if s == "" {
			return 0, 0, -1, fmt.Errorf("expects an integer value")
		}
		return 0, 0, -1, fmt.Errorf("unexpected character '%c'", s[0])
	}
	n, err := strconv.ParseUint(s[:i], 10, 64)
	if err != nil {
		return 0, i, -1, errTimeOverflow
	}
	unit, end := time.Millisecond, i
	if i < len(s) {
		next := byte(0)
		if i+1 < len(s) {
			next = s[i+1]
		}
		switch {
		case s[i] == 'u' && next == 's':
			unit, end = time.Microsecond, i+2
		case s[i] == 'm' && next == 's':
			end = i + 2
		case s[i] == 'm':
			unit, end = time.Minute, i+1
		case s[i] == 's':
			unit, end = time.Second, i+1
		case s[i] == 'h':
			unit, end = time.Hour, i+1
		case s[i] == 'd':
			unit, end = 24*time.Hour, i+1
		default:
			return 0, i, -1, fmt.Errorf("unexpected character '%c'", s[i])
		}
	}
	trail := -1
	if end < len(s) {
		trail = end
	}
	if d := time.Duration(n) * unit; d/time.Millisecond <= 2147483647 && d/unit == time.Duration(n) {
		return d, 0, trail, nil
	}
	return 0, 0, -1, errTimeOverflow
}

// timerTrailingText is HAProxy 2.6's warning for a time value followed by
// text ("15min"), which it reads as the value before that text.
func timerTrailingText(v string) string {
	t := TimerTrailing(v)
	if t < 0 {
		return ""
	}
	return fmt.Sprintf("unexpected character '%c' after the timer value '%s', only "+
		"(us=microseconds,ms=milliseconds,s=seconds,m=minutes,h=hours,d=days) are supported. "+
		"This will be reported as an error in next versions.", v[t], v)
}

// ParseSize reads a size with an optional k/m/g suffix (powers of 1024).
func ParseSize(s string) (int64, error) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, fmt.Errorf("invalid size")
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil {
		return 0, err
	}
	switch strings.ToLower(s[i:]) {
	case "":
	case "k":
		n <<= 10
	case "m":
		n <<= 20
	case "g":
		n <<= 30
	default:
		return 0, fmt.Errorf("unexpected character '%c'", s[i])
	}
	return n, nil
}

// ParseAddress reads "[family@]host[:port[-port]]" as bind, server and stats
// socket use it. needPort requires a port (bind does); servers may omit it.
func ParseAddress(s string) (Address, error) {
	a := Address{Raw: s}
	rest := s
	if at := strings.Index(s, "@"); at > 0 {
		fam := s[:at]
		rest = s[at+1:]
		switch fam {
		case "ipv4", "ipv6", "udp", "udp4", "udp6", "quic4", "quic6", "tcp", "tcp4", "tcp6":
			a.Family = fam
		case "unix", "abns", "uxst", "uxdg":
			a.Family, a.Path = fam, rest
			return a, nil
		case "fd", "sockpair":
			n, err := strconv.Atoi(rest)
			if err != nil || n < 0 {
				return a, fmt.Errorf("file descriptor '%s' is not a valid integer in '%s'", rest, s)
			}
			a.Family, a.FD = fam, n
			return a, nil
		default:
			host := s
			if c := strings.LastIndex(s, ":"); c > at {
				host = s[:c]
			}
			return a, fmt.Errorf("invalid address: '%s' in '%s'", host, s)
		}
	} else if strings.HasPrefix(s, "/") {
		a.Family, a.Path = "unix", s
		return a, nil
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			// No closing bracket: HAProxy takes the text up to the last
			// colon as a host name, which then fails to resolve.
			c := strings.LastIndex(rest, ":")
			if c < 0 {
				c = len(rest)
			}
			a.Host, a.PortRaw, a.PortSet, a.Family = rest[:c], strings.TrimPrefix(rest[c:], ":"), c < len(rest), "ipv6"
			return a, nil
		}
		host = rest[1:end]
		tail := rest[end+1:]
		if strings.HasPrefix(tail, ":") {
			port = tail[1:]
			a.PortSet = true
		} else if tail != "" {
			return a, fmt.Errorf("invalid address: '%s'", s)
		}
		if a.Family == "" {
			a.Family = "ipv6"
		}
	} else if c := strings.LastIndex(rest, ":"); c >= 0 && strings.Count(rest, ":") == 1 {
		host, port = rest[:c], rest[c+1:]
		a.PortSet = true
	} else if strings.Count(rest, ":") > 1 {
		// Bare IPv6 with the port after the last colon, as HAProxy reads it.
		c := strings.LastIndex(rest, ":")
		host, port = rest[:c], rest[c+1:]
		a.PortSet = true
		if a.Family == "" {
			a.Family = "ipv6"
		}
	}
	if host == "*" {
		host = ""
	}
	a.Host, a.PortRaw = host, port
	if a.Host != "" && a.Family == "" && parseIPv4(a.Host) {
		a.Family = "ipv4"
	}
	return a, nil
}

// leadingInt reads an optional sign and the digits after it, like strtol:
// it returns the value, the index of the first byte not read and whether
// any digit was seen.
func leadingInt(s string) (int, int, bool) {
	i := 0
	if i < len(s) && (s[i] == '+' || s[i] == '-') {
		i++
	}
	j := i
	n := 0
	for j < len(s) && isDigit(s[j]) && n <= 1<<20 {
		n = n*10 + int(s[j]-'0')
		j++
	}
	if j == i {
		return 0, 0, false
	}
	if s[0] == '-' {
		n = -n
	}
	return n, j, true
}

// envExpand replaces $NAME and ${NAME} in an address with the variable's
// value (nothing when unset), as HAProxy's address parser does on top of
// the config tokenizer: "bind *:$PORT" works unquoted.
func envExpand(s string, env Env) string {
	if env == nil || !strings.Contains(s, "$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' {
			b.WriteByte(s[i])
			i++
			continue
		}
		j := i + 1
		brace := j < len(s) && s[j] == '{'
		if brace {
			j++
		}
		k := j
		for k < len(s) && (isAlpha(s[k]) || isDigit(s[k]) || s[k] == '_') {
			k++
		}
		if k > j {
			if v, ok := env(s[j:k]); ok {
				b.WriteString(v)
			}
		}
		i = k
		if brace && k < len(s) && s[k] == '}' {
			i++
		}
	}
	return b.String()
}

// bindPorts validates the port of a listening address (bind, stats socket)
// the way HAProxy 2.6 does. a.Raw is the address after envExpand, orig the
// address as written (HAProxy quotes that one). The port follows the last
// ':' (a ']' first means none); it must start with a digit and is read like
// atoi ("80x" is 80), a range "lo-hi" is allowed, a sign is an offset, which
// a listener refuses. Messages HAProxy ends with a newline keep it.
func bindPorts(a *Address, orig string) error {
	switch a.Family {
	case "unix", "abns", "uxst", "uxdg", "fd", "sockpair":
		return nil
	}
	s := a.Raw
	if at := strings.Index(s, "@"); at > 0 && a.Family != "" {
		s = s[at+1:]
	}
	c := len(s) - 1
	for c > 0 && s[c] != ':' && s[c] != ']' {
		c--
	}
	if c < 0 || s[c] != ':' {
		return fmt.Errorf("missing port specification in '%s'", orig)
	}
	p1 := s[c+1:]
	switch {
	case p1 == "":
		return fmt.Errorf("missing port specification in '%s'", orig)
	case isDigit(p1[0]):
		p2 := p1
		if d := strings.IndexByte(p1, '-'); d >= 0 {
			p1, p2 = p1[:d], p1[d+1:]
		}
		lo, _, _ := leadingInt(p1)
		hi, _, _ := leadingInt(p2)
		if strings.HasPrefix(p2, "-") || strings.HasPrefix(p2, "+") {
			hi = -1 // atoi reads a sign; any signed end is refused below
		}
		if lo < 1 || lo > 65535 {
			return fmt.Errorf("invalid port '%s'", p1)
		}
		if hi < 1 || hi > 65535 {
			return fmt.Errorf("invalid port '%s'", p2)
		}
		if lo > hi {
			return fmt.Errorf("invalid port range '%d-%d'", lo, hi)
		}
		a.PortLow, a.PortHigh, a.PortSet, a.PortRaw = lo, hi, true, s[c+1:]
		return nil
	case p1[0] == '-' || p1[0] == '+':
		return fmt.Errorf("port offset not permitted here in '%s'", orig)
	}
	return fmt.Errorf("invalid character '%c' in port number '%s' in '%s'\n", p1[0], p1, orig)
}

// listenAddress reads one listening address (one item of a bind list, or a
// stats socket) as HAProxy's str2sa_range does for listeners.
func listenAddress(orig string, env Env) (Address, error) {
	exp := envExpand(orig, env)
	if exp == "" {
		return Address{Raw: orig}, fmt.Errorf("'%s' resolves to an empty address (environment variable missing?)\n", orig)
	}
	a, err := ParseAddress(exp)
	if err != nil {
		return a, err
	}
	return a, bindPorts(&a, orig)
}

// serverPort validates a server port: digits with an optional sign (a
// signed port is an offset from the connection's port).
func serverPort(a *Address) error {
	if !a.PortSet || a.PortRaw == "" {
		return nil
	}
	n, end, ok := leadingInt(a.PortRaw)
	if !ok || end < len(a.PortRaw) {
		bad := byte(0)
		if !ok {
			k := 0
			if a.PortRaw[0] == '+' || a.PortRaw[0] == '-' {
				k = 1
			}
			if k < len(a.PortRaw) {
				bad = a.PortRaw[k]
			}
		} else {
			bad = a.PortRaw[end]
		}
		return fmt.Errorf("invalid character '%c' in port number '%s' in '%s'\n", bad, a.PortRaw, a.Raw)
	}
	if n > 65535 || n < -65535 {
		return fmt.Errorf("invalid port '%s'", a.PortRaw)
	}
	a.PortLow, a.PortHigh = n, n
	return nil
}

// resolvable tells whether a server host could be turned into an address
// without DNS: IP literals (including inet_aton's short forms) are; a host
// made only of digits and dots that is no valid IPv4 address is not (HAProxy
// then fails "could not resolve address"). Real names are assumed to
// resolve: goha does not query DNS at check time.
func resolvable(a Address) bool {
	h := a.Host
	if a.Family == "unix" || a.Family == "abns" || a.Family == "fd" || a.Family == "sockpair" {
		return true
	}
	if strings.ContainsAny(h, "[]") {
		return false
	}
	if strings.Contains(h, ":") {
		return a.Family != "ipv4" && net.ParseIP(h) != nil
	}
	if h == "" {
		return true
	}
	if strings.Trim(h, "0123456789.") == "" {
		return inetAton(h)
	}
	return a.Family != "ipv6" || net.ParseIP(h) != nil || strings.ContainsAny(h, "abcdefghijklmnopqrstuvwxyz")
}

// isName reports whether a server host is a DNS name rather than a literal.
func isName(h string) bool {
	return h != "" && net.ParseIP(h) == nil && !inetAton(h) && !strings.ContainsAny(h, ":[]")
}

// inetAton accepts the 1 to 4 part dotted forms inet_aton(3) accepts.
func inetAton(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) > 4 {
		return false
	}
	for i, p := range parts {
		n, err := strconv.ParseUint(p, 10, 32)
		if err != nil {
			return false
		}
		if i < len(parts)-1 && n > 255 {
			return false
		}
		if i == len(parts)-1 && n >= 1<<(8*uint(5-len(parts))) {
			return false
		}
	}
	return true
}

// parseIPv4 reports whether h is a dotted quad; a quad with a part above
// 255 is a hostname to HAProxy (resolved, then failing), so callers check.
func parseIPv4(h string) bool {
	parts := strings.Split(h, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 {
			return false
		}
	}
	return true
}
