package haproxy

// set-mark and set-tos in the TCP rule sets (tcp-request connection,
// session and content; tcp-response content), set-log-level in the
// content ones, and tcp-response content silent-drop: the rule is kept with its argument as written;
// proxy/haproxycfg reads the value as HAProxy does and reports one it
// cannot read.

// IsSockoptAction says whether a TCP rule's action is set-mark or set-tos.
func IsSockoptAction(action string) bool { return action == "set-mark" || action == "set-tos" }

// tcpRequestSockopt files a `tcp-request connection|session|content
// set-mark|set-tos <value> [if|unless cond]` rule (or a `tcp-request
// content set-log-level <level>` one) with the other rules
// of its set, in order. false: not one (or a condition that does not
// parse), left to the caller.
func (s *state) tcpRequestSockopt(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || !IsSockoptAction(w[2]) && !(w[1] == "content" && w[2] == "set-log-level") {
		return false
	}
	r, ok := simpleRule(w, 3)
	if !ok {
		return false
	}
	r.Pos, r.Action = p, w[2]
	switch w[1] {
	case "connection":
		px.TCPConnRules = append(px.TCPConnRules, r)
	case "session":
		px.TCPSessTracks = append(px.TCPSessTracks, r)
	case "content":
		px.TCPContentRules = append(px.TCPContentRules, r)
	default:
		return false
	}
	return true
}

// tcpResponseSockopt files a `tcp-response content set-mark|set-tos|
// set-log-level <value> [if|unless cond]` or `tcp-response content
// silent-drop [if|unless cond]` rule with the backend's other tcp-response
// rules. false: not one, left to the caller.
func (s *state) tcpResponseSockopt(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || !IsSockoptAction(w[2]) && w[2] != "set-log-level" && w[2] != "silent-drop" {
		return false
	}
	r, ok := simpleRule(w, 3)
	if !ok {
		return false
	}
	s.warnTCPResponseNever(px, p, r.Cond) // tcp_response_never.go
	r.Pos, r.Action = p, w[2]
	px.TCPResponseRules = append(px.TCPResponseRules, r)
	return true
}
