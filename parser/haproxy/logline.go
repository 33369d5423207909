package haproxy

import (
	"fmt"
	"strings"
)

// logFacilities are syslog's facility names as HAProxy knows them.
var logFacilities = []string{"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"auth2", "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4", "local5",
	"local6", "local7"}

// checkLog validates "log <target> [len n] [format f] [sample r:s] <facility>
// [level [minlevel]]" ("log global" aside) and returns HAProxy's complaint.
func checkLog(w []string) string {
	if len(w) == 2 && w[1] == "global" {
		return ""
	}
	if len(w) < 3 {
		return "log : expects <address> and <facility>  as arguments"
	}
	i := 2
	for i+1 < len(w) && (w[i] == "len" || w[i] == "format" || w[i] == "sample") {
		i += 2
	}
	if i >= len(w) {
		return "log : expects <address> and <facility>  as arguments"
	}
	if !contains(logFacilities, w[i]) {
		return "log : unknown log facility '" + w[i] + "'"
	}
	for _, lvl := range w[i+1:] {
		if !contains(logLevels, lvl) {
			return "log : unknown optional log level '" + lvl + "'"
		}
	}
	if a, err := ParseAddress(strings.TrimPrefix(strings.TrimPrefix(w[1], "udp@"), "udp4@")); err == nil && a.Family != "unix" && a.PortRaw != "" {
		if n, end, ok := leadingInt(a.PortRaw); !ok || end != len(a.PortRaw) || n < 1 || n > 65535 {
			return "log : invalid port '" + a.PortRaw + "'"
		}
	}
	return ""
}

var logLevels = []string{"emerg", "alert", "crit", "err", "warning", "notice", "info", "debug"}

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

// logLine checks a "log" line (global or proxy); false when refused.
func (s *state) logLine(p Pos, w []string) bool {
	msg := checkLog(w)
	if msg == "" && !(len(w) == 2 && w[1] == "global") {
		msg = s.logTargetResolves(w[1])
		if msg != "" {
			// HAProxy's message ends with a newline: an empty line follows.
			s.alert(p, "%s", msg)
			s.d.List[len(s.d.List)-1].Extra = []string{""}
			return false
		}
	}
	if msg != "" {
		s.alert(p, "%s", msg)
		return false
	}
	return true
}
