package haproxy

// isExpectAction: expect-proxy and expect-netscaler-cip, parsed alike.
func isExpectAction(a string) bool { return a == "expect-proxy" || a == "expect-netscaler-cip" }

// tcpExpectProxy parses `tcp-request <where> expect-proxy|expect-netscaler-cip
// layer4 [if|unless cond]` the way HAProxy 2.6 does: only `layer4` is known, nothing but a
// condition may follow, and only connection rules may carry it (session
// and content rules refuse it with HAProxy's words). It reports whether
// w was an expect-proxy rule (handled, kept or refused). A refused one
// is checked before the rule order (badTCPExpectProxy): HAProxy records
// no rule for it.
func (s *state) tcpExpectProxy(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || !isExpectAction(w[2]) {
		return false
	}
	r, ok := simpleRule(w, 4)
	if !ok {
		s.d.Unsupported(p.File, p.Line, "tcp-request")
		return true
	}
	r.Pos, r.Action = p, w[2]
	px.TCPConnRules = append(px.TCPConnRules, r) // the wire maps it (haproxycfg tcprules.go)
	return true
}

// badTCPExpectProxy alerts on an expect-proxy rule HAProxy refuses and
// reports whether it did.
func (s *state) badTCPExpectProxy(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || !isExpectAction(w[2]) {
		return false
	}
	got := ""
	if len(w) > 3 {
		got = w[3]
	}
	if got != "layer4" {
		s.alert(p, "'%s %s %s' only supports 'layer4' in %s '%s' (got '%s')", w[0], w[1], w[2], kindWord(px), px.Name, got)
		return true
	}
	if w[1] != "connection" {
		s.alert(p, "'%s %s' is not allowed in '%s %s' rules in %s '%s'", w[2], w[3], w[0], w[1], kindWord(px), px.Name)
		return true
	}
	if len(w) > 4 && w[4] != "if" && w[4] != "unless" {
		s.alert(p, "'%s %s %s' only accepts 'if' or 'unless', in %s '%s' (got '%s')", w[0], w[1], w[2], kindWord(px), px.Name, w[4])
		return true
	}
	return false
}
