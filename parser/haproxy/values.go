package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// ParseTime reads an HAProxy time value: digits then an optional unit
// (us, ms, s, m, h, d), milliseconds when there is none. On a bad character
// it returns that character's index (HAProxy names it in its message).
func ParseTime(s string) (time.Duration, int, error) {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	if i == 0 {
		return 0, 0, fmt.Errorf("expects an integer value")
	}
	n, err := strconv.ParseUint(s[:i], 10, 32)
	if err != nil {
		return 0, i, fmt.Errorf("value too large")
	}
	unit := time.Millisecond
	rest := s[i:]
	switch rest {
	case "":
	case "us":
		unit = time.Microsecond
	case "ms":
	case "s":
		unit = time.Second
	case "m":
		unit = time.Minute
	case "h":
		unit = time.Hour
	case "d":
		unit = 24 * time.Hour
	default:
		bad := i
		// HAProxy accepts the unit's prefix then stops at the first byte no
		// unit explains; point where the known units stop matching.
		for _, u := range []string{"us", "ms", "s", "m", "h", "d"} {
			if strings.HasPrefix(rest, u) && i+len(u) > bad {
				bad = i + len(u)
			}
		}
		return 0, bad, fmt.Errorf("unexpected character '%c'", s[bad])
	}
	return time.Duration(n) * unit, 0, nil
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
	var a Address
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
				return a, fmt.Errorf("invalid %s number '%s'", fam, rest)
			}
			a.Family, a.FD = fam, n
			return a, nil
		default:
			return a, fmt.Errorf("unknown address family '%s' in '%s'", fam, s)
		}
	} else if strings.HasPrefix(s, "/") {
		a.Family, a.Path = "unix", s
		return a, nil
	}
	host, port := rest, ""
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return a, fmt.Errorf("invalid address: '%s'", s)
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
	a.Host = host
	if a.PortSet && port != "" {
		lo, hi := port, port
		if d := strings.Index(port, "-"); d >= 0 {
			lo, hi = port[:d], port[d+1:]
		}
		l, err1 := strconv.Atoi(strings.TrimPrefix(lo, "+"))
		h, err2 := strconv.Atoi(strings.TrimPrefix(hi, "+"))
		if err1 != nil || err2 != nil || l < 0 || h > 65535 || l > 65535 || h < l {
			return a, fmt.Errorf("invalid port '%s'", port)
		}
		a.PortLow, a.PortHigh = l, h
	}
	if a.Host != "" && a.Family == "" {
		if ip := parseIPv4(a.Host); ip {
			a.Family = "ipv4"
		}
	}
	return a, nil
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
