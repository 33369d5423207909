package haproxy

// serverTCPUserTimeout is `tcp-ut <delay>`: TCP_USER_TIMEOUT on the
// server's sockets, in milliseconds by default. HAProxy keeps it only on a
// line whose address is IPv4 or IPv6 when the keyword is read, which a
// default-server line has not: there it is read and dropped, and the
// servers after it get none.
func serverTCPUserTimeout(l *serverLine, o, v string) bool {
	if msg := tcpUserTimeoutError(v); msg != "" {
		l.alert("%s.", msg)
		return false
	}
	if l.isDefault {
		return true
	}
	switch l.srv.Addr.Family {
	case "unix", "abns", "fd", "sockpair":
		return true
	}
	l.opts.TCPUserTimeout, _, _ = ParseTime(v)
	return true
}

// serverNamespace is `namespace <name>`: the server's sockets are created
// in that network namespace, opened as HAProxy opens it when it reads the
// line; `*` (the namespace a PROXY header names) is kept for the builder
// to refuse.
func serverNamespace(l *serverLine, o, v string) bool {
	if v != "*" && !l.s.lookups.readable("/var/run/netns/"+v) {
		l.alert("Cannot open namespace '%s'.", v)
		return false
	}
	l.opts.Other[o] = v
	return true
}
