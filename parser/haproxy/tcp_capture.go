package haproxy

import "strconv"

// badTCPCapture alerts on a `tcp-request <where> capture <sample> len <n>
// [if|unless cond]` HAProxy 2.6 refuses, in its words, and reports
// whether it did: a missing sample, a rule other than a content rule, a
// len missing or not positive, words other than a condition after it.
func (s *state) badTCPCapture(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || w[2] != "capture" {
		return false
	}
	const what = "'tcp-request content capture'"
	switch {
	case len(w) < 4:
		s.alert(p, "'%s %s %s' : missing fetch method", w[0], w[1], w[2])
	case w[1] != "content":
		s.alert(p, "'%s %s' is not allowed in '%s %s' rules in %s '%s'", w[2], w[3], w[0], w[1], kindWord(px), px.Name)
	case len(w) < 6 || w[4] != "len":
		s.alert(p, "%s : a positive 'len' argument is mandatory", what)
	default:
		if n, err := strconv.Atoi(w[5]); err != nil || n <= 0 {
			s.alert(p, "%s : length must be > 0", what)
		} else if len(w) > 6 && w[6] != "if" && w[6] != "unless" {
			s.alert(p, "%s only accepts 'if' or 'unless', in %s '%s' (got '%s')", what, kindWord(px), px.Name, w[6])
		} else {
			return false
		}
	}
	return true
}

// tcpCapture keeps a content capture rule badTCPCapture let through:
// Args are the sample, "len" and the length, as an http-request capture's
// (the wire numbers its slot among the frontend's, haproxycfg captures.go).
func (s *state) tcpCapture(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || w[2] != "capture" {
		return false
	}
	r, ok := simpleRule(w, 3)
	if !ok {
		s.d.Unsupported(p.File, p.Line, "tcp-request")
		return true
	}
	r.Pos, r.Action = p, w[2]
	px.TCPContentRules = append(px.TCPContentRules, r)
	return true
}
