package haproxy

// `track` is checked here as HAProxy 2.6 checks it; the run time
// (proxy/check/track.go, internal/haproxycmd/run_track.go,
// TestServerTrackMatchHAProxy) does what HAProxy 2.6.12 was measured
// doing with b2/s1 tracking b1/s1 and b2/s2 tracking b2/s1:
//   - check transitions propagate down the chain, each after the tracked
//     server's lines (its "has no server available!" included): "Server
//     b2/s1 is DOWN via b1/s1. N active ... left. ..." and "... is UP via
//     b1/s1. N active ... online. ..."; b2/s2's lines say "via b2/s1";
//   - maintenance propagates: "was DOWN and now enters maintenance via
//     b1/s1.", "is going DOWN for maintenance via b2/s1. ...", "is
//     UP/READY (leaving maintenance)." (not "forced"); show stat status
//     "MAINT (via b1/s1)" (own maintenance: plain "MAINT");
//   - a tracking server's check columns (chkfail, chkdown, check_status,
//     code, duration, last_chk, check_desc) are empty; show servers state
//     gives it check status 1, result 0, health 2, check state 0;
//   - `set server b2/s1 health down` answers "cannot change health on a
//     tracking server.";
//   - drain propagates: "enters drain state via b1/s1. ...", leaving "is
//     UP (leaving forced drain)."; a tracking server's own maintenance
//     leaving under the inherited one: "is leaving forced maintenance but
//     remains in maintenance via b1/s1.";
//   - the stopping state (NOLB: `http-check disable-on-404` answered 404,
//     or `set server ... health stopping`) propagates: "is stopping via
//     b1/s1. N active ... online. ...", then "is UP via" or "is DOWN via"
//     (no new "has no server available!" for a server already stopping);
//     both backends must agree on disable-on-404 (golden
//     bad-server-track-404); a tracking server in maintenance takes no
//     transition and takes its tracked server's state when it leaves
//     (TestServerTrackStoppingMatchHAProxy);
//   - `disabled` on either side (TestServerTrackDisabledMatchHAProxy):
//     the trackers of a disabled checked server start in its maintenance
//     without a line; "remains in forced maintenance." when a disabled
//     tracker loses the inherited one; changes reach the trackers of a
//     server last-configured first;
//   - agent-check on either side (TestServerTrackAgentMatchHAProxy): the
//     tracked server's agent transitions pass down as its check's; a
//     tracking server's own agent is worded "is DOWN via B/S." and passes
//     down too; a tracking server's status reads the agent and check of
//     the end of its chain ("DOWN (agent)", "DRAIN (agent)", "DOWN 1/1").

// tracks reports whether a server has `track`: HAProxy accepts such a
// server as the target of another `track` (a chain) although it has no
// check of its own.
func tracks(sv *Server) bool {
	_, ok := sv.Other["track"]
	return ok
}

// trackLoops reports whether sv tracking target would close a loop, as
// HAProxy 2.6 decides it while resolving `track` server by server: the
// target is sv itself, or the chain already resolved from the target
// comes back to sv. Servers resolved later are not followed yet, so only
// the server closing a loop is refused.
func trackLoops(resolved map[*Server]*Server, sv, target *Server) bool {
	if target == sv {
		return true
	}
	for t := resolved[target]; t != nil; t = resolved[t] {
		if t == sv {
			return true
		}
	}
	return false
}
