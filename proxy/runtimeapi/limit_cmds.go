package runtimeapi

import (
	"strconv"
	"strings"
)

// Limiter is a Source whose connection limits change at run time (`set
// maxconn global|frontend|server`, `set rate-limit http-compression`). A
// Source without it answers that goha does not support the commands.
type Limiter interface {
	// SetGlobalMaxconn sets the process maxconn, 1..Info().HardMaxconn.
	SetGlobalMaxconn(n int)
	// SetFrontendMaxconn sets a frontend's (or listen's) maxconn; 0
	// accepts nothing more, as in HAProxy. ErrNoFrontend: no such name.
	SetFrontendMaxconn(name string, n int) error
	// SetServerMaxconn sets a server's maxconn (0 or less: no limit,
	// HAProxy keeps a negative value and shows it as an unsigned 32-bit
	// number).
	SetServerMaxconn(backend, server string, n int) error
	// SetCompressionRateLimit is `set rate-limit http-compression global`
	// in bytes per second (shown as CompressBpsRateLim): above it no new
	// response is compressed (proxy/comp_rate.go).
	SetCompressionRateLimit(bytesPerSec int64)
}

// strtol is C's strtol in base 10 with its end: ok is false when no
// digit was read, rest is what follows the number.
func strtol(s string) (n int64, rest string, ok bool) {
	t := strings.TrimLeft(s, " \t\n\v\f\r")
	end := 0
	if end < len(t) && (t[end] == '-' || t[end] == '+') {
		end++
	}
	digits := end
	for end < len(t) && t[end] >= '0' && t[end] <= '9' {
		end++
	}
	if end == digits {
		return 0, s, false
	}
	n, _ = strconv.ParseInt(t[:end], 10, 64)
	return n, t[end:], true
}

func cmdSetMaxconn(s *Session, args []string) string {
	lim, ok := s.src.(Limiter)
	if !ok {
		return errNotSupported
	}
	switch args[2] {
	case "global":
		if argAt(args, 3) == "" {
			return "Expects an integer value.\n"
		}
		v, hard := atoi(args[3]), s.src.Info().HardMaxconn
		if v > hard {
			return "Value out of range.\n"
		}
		if v <= 0 { // HAProxy: unlimited means the hard limit
			v = hard
		}
		lim.SetGlobalMaxconn(v)
		return ""
	case "frontend":
		if argAt(args, 3) == "" {
			return "A frontend name is expected.\n"
		}
		if !s.hasFrontend(args[3]) {
			return "No such frontend.\n"
		}
		if argAt(args, 4) == "" {
			return "Integer value expected.\n"
		}
		v := atoi(args[4])
		if v < 0 {
			return "Value out of range.\n"
		}
		if err := lim.SetFrontendMaxconn(args[3], v); err != nil {
			return "No such frontend.\n"
		}
		return ""
	}
	// server
	px, sv, msg := s.findServer(argAt(args, 3))
	if msg != "" {
		return msg
	}
	arg := argAt(args, 4)
	if arg == "" {
		return "Require <maxconn>.\n"
	}
	v, msg := ParseMaxconn(arg)
	if msg != "" {
		return msg
	}
	if err := lim.SetServerMaxconn(px.Name, sv.Name, v); err != nil {
		return err.Error() + "\n"
	}
	return ""
}

func (s *Session) hasFrontend(name string) bool {
	for _, p := range s.src.Stats() {
		if p.Frontend != nil && p.Name == name {
			return true
		}
	}
	return false
}

const rateLimitUsage = "'set rate-limit' only supports :\n" +
	"   - 'connections global' to set the per-process maximum connection rate\n" +
	"   - 'sessions global' to set the per-process maximum session rate\n" +
	"   - 'ssl-sessions global' to set the per-process maximum SSL session rate\n" +
	"   - 'http-compression global' to set the per-process maximum compression speed in kB/s\n"

// cmdSetRateLimit is `set rate-limit <what> global <value>`. goha cannot
// change the connection, session or TLS session rate limits at run time
// (global maxconnrate, maxsessrate and maxsslrate are applied as
// configured), so only 0 is accepted for them, and only while no limit is
// set.
func cmdSetRateLimit(s *Session, args []string) string {
	what := argAt(args, 2)
	switch what {
	case "connections", "sessions", "ssl-sessions", "http-compression":
	default:
		return rateLimitUsage
	}
	if argAt(args, 3) != "global" {
		return rateLimitUsage
	}
	if argAt(args, 4) == "" {
		return "Expects an integer value.\n"
	}
	v := atoi(args[4])
	if v < 0 {
		return "Value out of range.\n"
	}
	if what != "http-compression" {
		in := s.src.Info()
		cur := map[string]int64{"connections": in.ConnRateLimit, "sessions": in.SessRateLimit, "ssl-sessions": in.TLS.RateLimit}[what]
		if v != 0 || cur != 0 {
			return errNotSupported
		}
		return ""
	}
	lim, ok := s.src.(Limiter)
	if !ok {
		return errNotSupported
	}
	lim.SetCompressionRateLimit(int64(v) * 1024)
	return ""
}

// ParseMaxconn reads a server maxconn as `set maxconn server` and an
// agent's "maxconn:N" do (strtol, kept in a C int), with HAProxy's
// messages (without a trailing newline).
func ParseMaxconn(arg string) (int, string) {
	v, rest, ok := strtol(arg)
	switch {
	case !ok:
		return 0, "maxconn string empty or preceded by garbage"
	case rest != "":
		return 0, "Trailing garbage in maxconn string"
	}
	return int(int32(v)), ""
}
