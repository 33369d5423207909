package runtimeapi

// CounterClearer is a Source that can reset its counters (`clear
// counters`). A Source without it answers that goha does not support the
// command, never an empty success.
type CounterClearer interface {
	// ClearCounters resets the maxima (smax, rate_max, ...); with all, it
	// also resets every cumulative counter of frontends, backends and
	// servers (sessions, bytes, requests, responses, errors, retries,
	// picks, failed checks and their DOWN transitions) as HAProxy's
	// `clear counters all` does. Gauges (current sessions, queue) and the
	// process totals of `show info` are kept.
	ClearCounters(all bool)
}

// errNotSupported answers a command HAProxy knows that this Source cannot
// carry out.
const errNotSupported = "This command is not supported by goha.\n"

// cmdClearCounters is `clear counters [all]`: operator level, admin for
// `all`, an empty answer as in HAProxy.
func cmdClearCounters(s *Session, args []string) string {
	all := len(args) > 2 && args[2] == "all"
	if all && s.level < LevelAdmin {
		return "Permission denied\n"
	}
	c, ok := s.src.(CounterClearer)
	if !ok {
		return errNotSupported
	}
	c.ClearCounters(all)
	return ""
}
