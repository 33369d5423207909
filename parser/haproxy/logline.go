package haproxy

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// LogFacilities are syslog's facility names as HAProxy knows them, in
// code order (kern is 0, local0 16): the one facility list of goha.
var LogFacilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"auth2", "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7"}

// LogLevels are the syslog severities in code order (emerg is 0).
var LogLevels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

// LogAddrKind says what a log target's address is.
type LogAddrKind uint8

const (
	LogUDP  LogAddrKind = iota // a host and port (udp@, udp4@, udp6@, ipv4@, ipv6@ or none)
	LogUnix                    // a unix datagram socket (unix@path or an absolute path)
	LogFD                      // a file descriptor (fd@N; stdout is 1, stderr 2)
	LogRing                    // ring@name
)

// DefaultLogPort is the port of a log host written without one.
const DefaultLogPort = "514"

// LogTarget is one "log" line: "log global", or "log <address> [len <n>]
// [format <fmt>] [sample <ranges>:<size>] <facility> [<level>
// [<minlevel>]]".
type LogTarget struct {
	Pos     Pos
	Global  bool   // "log global": the global section's targets
	Address string // the address as written
	Kind    LogAddrKind
	// Addr is where to send: "host:port" (LogUDP), the socket path
	// (LogUnix), the descriptor number (LogFD) or the ring name (LogRing).
	Addr     string
	Len      int    // `len`: the longest line sent (0: not given)
	Format   string // `format` name as written ("": not given)
	Sample   string // `sample` ranges:size as written ("": not given)
	Facility int    // index in LogFacilities (the syslog code)
	// Level is the least severe level sent; MinLevel the most severe a
	// message is sent at (indexes in LogLevels; debug and emerg when not
	// given).
	Level, MinLevel int
	// Invalid is goha's message for a target the parser lets through but
	// goha cannot send to (a len out of range, an address it cannot read,
	// more than two levels); "" otherwise. The runtime refuses the target
	// with it.
	Invalid string
}

// ParseLogTarget reads the words of a "log" line (w[0] is "log") into a
// typed target, and returns HAProxy's complaint when it refuses the line.
func ParseLogTarget(p Pos, w []string) (LogTarget, string) {
	t := LogTarget{Pos: p, Level: len(LogLevels) - 1}
	if len(w) == 2 && w[1] == "global" {
		t.Global = true
		return t, ""
	}
	if len(w) < 3 {
		return t, "log : expects <address> and <facility>  as arguments"
	}
	t.Address = w[1]
	t.logAddr(w[1])
	i := 2
	// HAProxy 2.6 reads len, format and sample in this order only: a
	// keyword out of order is taken for the facility.
	for _, kw := range []string{"len", "format", "sample"} {
		if i+1 >= len(w) || w[i] != kw {
			continue
		}
		switch v := w[i+1]; w[i] {
		case "len":
			n, err := strconv.Atoi(v)
			if (err != nil || n < 80 || n > 65535) && t.Invalid == "" {
				t.Invalid = fmt.Sprintf("log: invalid len '%s' (must be between 80 and 65535)", v)
			}
			t.Len = n
		case "format":
			if index(ringFormats, v) < 0 { // the same names as a ring's
				return t, "log : unknown log format '" + v + "'"
			}
			t.Format = v
		case "sample":
			t.Sample = v
		}
		i += 2
	}
	if i >= len(w) {
		return t, "log : expects <address> and <facility>  as arguments"
	}
	fac := index(LogFacilities, w[i])
	if fac < 0 {
		return t, "log : unknown log facility '" + w[i] + "'"
	}
	t.Facility = fac
	levels := w[i+1:]
	for _, lvl := range levels {
		if index(LogLevels, lvl) < 0 {
			return t, "log : unknown optional log level '" + lvl + "'"
		}
	}
	if len(levels) > 0 {
		t.Level = index(LogLevels, levels[0])
	}
	if len(levels) > 1 {
		t.MinLevel = index(LogLevels, levels[1])
	}
	if len(levels) > 2 && t.Invalid == "" {
		t.Invalid = "log: too many arguments"
	}
	if a, err := ParseAddress(strings.TrimPrefix(strings.TrimPrefix(w[1], "udp@"), "udp4@")); err == nil && a.Family != "unix" && a.PortRaw != "" {
		if n, end, ok := leadingInt(a.PortRaw); !ok || end != len(a.PortRaw) || n < 1 || n > 65535 {
			return t, "log : invalid port '" + a.PortRaw + "'"
		}
	}
	return t, ""
}

// logAddr reads a log target's address: stdout, stderr, fd@N, ring@name,
// unix@path or an absolute path, else a host with an optional port after
// optional udp@, udp4@, udp6@, ipv4@, ipv6@ prefixes.
func (t *LogTarget) logAddr(a string) {
	switch {
	case a == "stdout" || a == "stderr":
		t.Kind, t.Addr = LogFD, map[string]string{"stdout": "1", "stderr": "2"}[a]
		return
	case strings.HasPrefix(a, "fd@"):
		t.Kind, t.Addr = LogFD, a[len("fd@"):]
		return
	case strings.HasPrefix(a, "ring@"):
		t.Kind, t.Addr = LogRing, a[len("ring@"):]
		return
	case strings.HasPrefix(a, "unix@"):
		t.Kind, t.Addr = LogUnix, a[len("unix@"):]
		return
	case strings.HasPrefix(a, "/"):
		t.Kind, t.Addr = LogUnix, a
		return
	}
	for _, p := range []string{"udp@", "udp4@", "udp6@", "ipv4@", "ipv6@"} {
		a = strings.TrimPrefix(a, p)
	}
	host, port := a, DefaultLogPort
	if h, p, err := net.SplitHostPort(a); err == nil {
		host, port = h, p
	} else if strings.Count(a, ":") > 1 { // bare IPv6
		host = strings.Trim(a, "[]")
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil || host == "" {
		t.Invalid = fmt.Sprintf("log: invalid address '%s'", a)
		return
	}
	t.Kind, t.Addr = LogUDP, net.JoinHostPort(host, port)
}

func index(list []string, s string) int {
	for i, v := range list {
		if v == s {
			return i
		}
	}
	return -1
}

// validNodeName: letters, digits, '.', '-', '_', not empty.
func validNodeName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		if !isAlpha(c) && !isDigit(c) && c != '.' && c != '-' && c != '_' {
			return false
		}
	}
	return true
}

// isCPUSet accepts cpu-map's CPU sets: numbers and ranges, comma separated.
func isCPUSet(s string) bool {
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		if !allDigits(lo) || isRange && !allDigits(hi) {
			return false
		}
	}
	return true
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// logTargetResolves checks a log target's host the way HAProxy 2.6 does
// while parsing (its address parser resolves names at once, through the
// system resolver): it returns HAProxy's message for a host that does not
// resolve, or "". Paths, descriptors, rings and stdout/stderr have no host.
func (s *state) logTargetResolves(target string) string {
	t := envExpand(target, s.env)
	if t == "stdout" || t == "stderr" || strings.HasPrefix(t, "/") {
		return ""
	}
	if at := strings.Index(t, "@"); at > 0 {
		switch t[:at] {
		case "udp", "udp4", "udp6", "ipv4", "ipv6", "tcp", "tcp4", "tcp6":
			t = t[at+1:]
		default: // ring@, fd@, unix@, abns@, ...
			return ""
		}
	}
	a, err := ParseAddress(t)
	if err != nil || a.Family == "unix" {
		return ""
	}
	host := a.Host
	if strings.HasPrefix(t, "[") {
		host = t[:strings.LastIndex(t, "]")+1]
	}
	if resolvable(a) && (!isName(a.Host) || s.resolveOnce(a.Host)) {
		return ""
	}
	return fmt.Sprintf("log : invalid address: '%s' in '%s'", host, target)
}

// resolveOnce resolves a log host name once per check: each lookup may take
// up to the resolver's bound, and a name is usually repeated on many lines.
func (s *state) resolveOnce(host string) bool {
	if ok, seen := s.logHosts[host]; seen {
		return ok
	}
	if s.logHosts == nil {
		s.logHosts = map[string]bool{}
	}
	ok := s.lookups.resolve(host)
	s.logHosts[host] = ok
	return ok
}

// logLine reads a "log" line (global or proxy); false when refused.
func (s *state) logLine(p Pos, w []string) (LogTarget, bool) {
	t, msg := ParseLogTarget(p, w)
	if msg == "" && !t.Global {
		msg = s.logTargetResolves(w[1])
		if msg != "" {
			// HAProxy's message ends with a newline: an empty line follows.
			s.alert(p, "%s", msg)
			s.d.List[len(s.d.List)-1].Extra = []string{""}
			return t, false
		}
	}
	if msg != "" {
		s.alert(p, "%s", msg)
		return t, false
	}
	return t, true
}
