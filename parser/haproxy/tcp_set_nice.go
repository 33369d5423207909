package haproxy

// tcpSetNice files a `tcp-request content set-nice <nice> [if|unless
// cond]` rule with the other content rules, after HAProxy 2.6's checks
// at -c: a missing value ("expects exactly 1 argument (integer value)")
// and a word after it that is not a condition are refused in its words;
// any other value passes (HAProxy reads it with atoi and clamps it to
// -1024..1024). The nice factor only orders HAProxy's tasks against each
// other, so proxy/haproxycfg keeps the rule inert with a warning (class
// table). false: not one, left to the caller.
func (s *state) tcpSetNice(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || w[1] != "content" || w[2] != "set-nice" {
		return false
	}
	if len(w) < 4 || w[3] == "" {
		s.alert(p, "expects exactly 1 argument (integer value)")
		return true
	}
	if len(w) > 4 && w[4] != "if" && w[4] != "unless" {
		s.alert(p, "'%s %s %s' only accepts 'if' or 'unless', in %s '%s' (got '%s')", w[0], w[1], w[2], kindWord(px), px.Name, w[4])
		return true
	}
	r, ok := simpleRule(w, 3)
	if !ok {
		return false
	}
	r.Pos, r.Action = p, w[2]
	px.TCPContentRules = append(px.TCPContentRules, r)
	return true
}
