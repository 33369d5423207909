package haproxy

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
