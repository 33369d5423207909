package logfmt

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// Target is one `log` line of the configuration.
type Target struct {
	// Network is "udp", "unixgram" or "fd"; Addr is "host:port", a socket
	// path, or "1"/"2" for stdout/stderr.
	Network, Addr string
	MaxLen        int // `len`, default 1024: longer lines are cut to it (then "\n")
	Format        SyslogFormat
	Facility      int
	MaxLevel      Level // messages less severe than this are not sent (default debug)
	MinLevel      Level // more severe messages are sent at this level (default emerg)
}

// DefaultMaxLen is HAProxy's default `len`.
const DefaultMaxLen = 1024

// ParseTarget reads the words after `log` (not `global`): `<address> [len
// <n>] [format <fmt>] <facility> [<level> [<minlevel>]]`. Addresses:
// IPv4/IPv6 with an optional port (default 514), `udp@`, `udp4@`, `udp6@`,
// `ipv4@`, `ipv6@` prefixes, `unix@path` or an absolute path (unix
// datagram), `stdout`, `stderr`, `fd@1`, `fd@2`.
func ParseTarget(args []string) (Target, error) {
	t := Target{MaxLen: DefaultMaxLen, MaxLevel: Debug, MinLevel: Emerg}
	if len(args) == 0 {
		return t, fmt.Errorf("'log' expects either <address[:port]> and <facility> or 'global' as arguments")
	}
	if err := t.parseAddr(args[0]); err != nil {
		return t, err
	}
	rest := args[1:]
	for len(rest) >= 2 {
		switch rest[0] {
		case "len":
			n, err := strconv.Atoi(rest[1])
			if err != nil || n < 80 || n > 65535 {
				return t, fmt.Errorf("log: invalid len '%s' (must be between 80 and 65535)", rest[1])
			}
			t.MaxLen = n
		case "format":
			f, ok := formatNames[rest[1]]
			if !ok {
				return t, fmt.Errorf("log: unknown log format '%s'", rest[1])
			}
			t.Format = f
		case "sample":
			return t, &UnsupportedError{Var: "log ... sample"}
		default:
			goto facility
		}
		rest = rest[2:]
	}
facility:
	if len(rest) == 0 {
		return t, fmt.Errorf("log: missing facility")
	}
	fac, ok := ParseFacility(rest[0])
	if !ok {
		return t, fmt.Errorf("unknown log facility '%s'", rest[0])
	}
	t.Facility = fac
	if len(rest) > 1 {
		l, ok := ParseLevel(rest[1])
		if !ok {
			return t, fmt.Errorf("unknown optional log level '%s'", rest[1])
		}
		t.MaxLevel = l
	}
	if len(rest) > 2 {
		l, ok := ParseLevel(rest[2])
		if !ok {
			return t, fmt.Errorf("unknown optional minimum log level '%s'", rest[2])
		}
		t.MinLevel = l
	}
	if len(rest) > 3 {
		return t, fmt.Errorf("log: too many arguments")
	}
	return t, nil
}

func (t *Target) parseAddr(a string) error {
	switch {
	case a == "stdout" || a == "fd@1":
		t.Network, t.Addr = "fd", "1"
		return nil
	case a == "stderr" || a == "fd@2":
		t.Network, t.Addr = "fd", "2"
		return nil
	case strings.HasPrefix(a, "fd@"), strings.HasPrefix(a, "ring@"):
		return &UnsupportedError{Var: "log " + a}
	case strings.HasPrefix(a, "unix@"):
		t.Network, t.Addr = "unixgram", a[len("unix@"):]
		return nil
	case strings.HasPrefix(a, "/"):
		t.Network, t.Addr = "unixgram", a
		return nil
	}
	for _, p := range []string{"udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"} {
		a = strings.TrimPrefix(a, p)
	}
	host, port := a, "514"
	if h, p, err := net.SplitHostPort(a); err == nil {
		host, port = h, p
	} else if strings.Count(a, ":") > 1 { // bare IPv6
		host = strings.Trim(a, "[]")
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil || host == "" {
		return fmt.Errorf("log: invalid address '%s'", a)
	}
	t.Network, t.Addr = "udp", net.JoinHostPort(host, port)
	return nil
}

// Level returns the level a message of level l is sent at, and false when
// the target drops it (less severe than its level).
func (t *Target) Level(l Level) (Level, bool) {
	if l > t.MaxLevel {
		return l, false
	}
	if l < t.MinLevel {
		l = t.MinLevel
	}
	return l, true
}
