package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the TCP rule keywords (tcp-request, tcp-response) and of
// stick-table; rows in proxyKeywordTable.

func (s *state) parseTCPRequest(px *Proxy, l *kwLine) bool {
	p, w := l.p, l.w
	s.tcpRequestOrder(px, p, w)
	s.timerWarnAfter(p, w[:min(len(w), 3)], "inspect-delay")
	for i := 2; i+1 < len(w); i++ {
		if strings.HasPrefix(w[i], "set-var(") {
			if msg := s.mapConverters(w[i+1]); msg != "" {
				s.alert(p, "%s", msg)
				return false
			}
			break
		}
	}
	px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
	verdict := len(w) > 2 && (w[2] == "accept" || w[2] == "reject" || w[2] == "silent-drop")
	if len(w) > 2 && ((w[1] == "connection" && (verdict || isTrackSC(w[2]))) || (w[1] == "content" && verdict)) {
		if r, ok := simpleRule(w, 3); ok {
			r.Pos, r.Action = p, w[2]
			// the wire maps them or reports them
			if w[1] == "connection" {
				px.TCPConnRules = append(px.TCPConnRules, r)
			} else {
				px.TCPContentRules = append(px.TCPContentRules, r)
			}
			return false
		}
	}
	if len(w) > 2 && ((w[1] == "content" || w[1] == "session") && isTrackSC(w[2]) || w[1] == "session" && w[2] == "silent-drop") {
		if r, ok := simpleRule(w, 3); ok {
			r.Pos, r.Action = p, w[2]
			if w[1] == "session" {
				px.TCPSessTracks = append(px.TCPSessTracks, r)
			} else {
				px.TCPContentTracks = append(px.TCPContentTracks, r)
			}
			return false // the wire maps them or reports them
		}
	}
	if len(w) > 2 && (w[1] == "connection" || w[1] == "session" || w[1] == "content") {
		if _, isVar, _ := ParseVarAction(w[2]); isVar {
			if r, ok := simpleRule(w, 3); ok {
				r.Pos, r.Action = p, w[2]
				switch w[1] {
				case "connection":
					px.TCPConnRules = append(px.TCPConnRules, r)
				case "session":
					px.TCPSessTracks = append(px.TCPSessTracks, r)
				default:
					px.TCPContentRules = append(px.TCPContentRules, r)
				}
				return false // the wire maps them or reports them
			}
		}
	}
	if len(w) >= 2 && w[1] == "inspect-delay" {
		return s.inspectDelay(px, p, w)
	}
	s.d.Unsupported(p.File, p.Line, "tcp-request")
	return false
}

// isTrackSC says whether an action word is track-sc<n>.
func isTrackSC(action string) bool { return RuleActionName(action) == "track-sc" }

func (s *state) parseTCPResponse(px *Proxy, l *kwLine) bool {
	s.timerWarnAfter(l.p, l.w[:min(len(l.w), 3)], "inspect-delay")
	w := l.w
	if len(w) <= 2 || w[1] != "content" {
		return s.parseRawKeyword(px, l)
	}
	if !s.rawCheck(l) || px.Kind == "frontend" {
		return false // a frontend's are ignored by HAProxy (capabilityWarning said so)
	}
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: w})
	if tcpResponseVerdict(w[2]) {
		if r, ok := simpleRule(w, 3); ok {
			r.Pos, r.Action = l.p, w[2]
			px.TCPResponseRules = append(px.TCPResponseRules, r)
			return false // the wire maps them or reports them
		}
	}
	// The other actions, by their own rows (unsupported or inert).
	s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: l.p, Args: w})
	s.d.Unsupported(l.p.File, l.p.Line, "tcp-response content "+w[2])
	return false
}

// tcpResponseVerdict says whether goha models a tcp-response content
// action: accept, reject, close and the variable actions.
func tcpResponseVerdict(action string) bool {
	if _, isVar, _ := ParseVarAction(action); isVar {
		return true
	}
	return action == "accept" || action == "reject" || action == "close"
}

func (s *state) parseStickTable(px *Proxy, l *kwLine) bool {
	st, msgs := ParseStickTable(l.kw, l.w[1:], false)
	for _, m := range msgs {
		switch {
		case m.Warning:
			s.d.Raw(Warning, l.p.File, l.p.Line, fmt.Sprintf("config : parsing [%s:%d]: %s", l.p.File, l.p.Line, m.Text))
		case m.Raw:
			s.alertRaw(l.p.File, l.p.Line, m.Text)
			s.fileFatal = true
			return false
		default:
			s.alert(l.p, "%s", m.Text)
			return false
		}
	}
	s.timerWarnAfter(l.p, l.w, "expire")
	for _, v := range st.Stores {
		if v.periodText != "" {
			s.timerWarn(l.p, v.periodText)
		}
	}
	if px.StickTable != nil {
		s.alert(l.p, "stick-table name '%s' conflicts with table declared in %s '%s' at %s:%d.",
			px.Name, proxyKindWord(px), px.Name, px.StickTable.Pos.File, px.StickTable.Pos.Line)
		return false
	}
	st.Pos = l.p
	px.StickTable = &st
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w}) // xref checks the peers name
	return false
}

// proxyKindWord is how HAProxy names a proxy's kind in messages ("proxy"
// for a listen section).
func proxyKindWord(px *Proxy) string {
	if px.Kind == "listen" {
		return "proxy"
	}
	return px.Kind
}

// retriesOnConnFailures tells whether "retry-on" (so far) covers what TFO
// needs to retry a connection.
func retriesOnConnFailures(px *Proxy) bool {
	have := map[string]bool{}
	if px.RetryOn != nil {
		for _, a := range px.RetryOn.Words {
			have[a] = true
		}
	}
	return have["all-retryable-errors"] || have["conn-failure"] && have["empty-response"] && have["response-timeout"]
}

// tcpRequestOrder warns like HAProxy when a connection/session rule comes
// after rules that run later (they still run first).
func (s *state) tcpRequestOrder(px *Proxy, p Pos, w []string) {
	sub := ""
	if len(w) > 1 {
		sub = w[1]
	}
	// HAProxy 2.6 names every kind of rule 'tcp-request' here, content
	// rules included.
	const name = "tcp-request"
	switch {
	case sub == "inspect-delay":
	case sub != "content" && px.sawTCPContent:
		s.warn(p, "a '%s' rule placed after a 'tcp-request content' rule will still be processed before.", name)
	case px.sawHTTPRequest:
		s.warn(p, "a '%s' rule placed after an 'http-request' rule will still be processed before.", name)
	case px.sawRedirect:
		s.warn(p, "a '%s' rule placed after a 'redirect' rule will still be processed before.", name)
	case px.sawUseBackend:
		s.warn(p, "a '%s' rule placed after a 'use_backend' rule will still be processed before.", name)
	}
	if sub == "content" {
		px.sawTCPContent = true
	}
}

// inspectDelay is `tcp-request inspect-delay <timeout>`, checked as
// HAProxy 2.6 does.
func (s *state) inspectDelay(px *Proxy, p Pos, w []string) bool {
	kind := px.Kind
	if kind == "listen" {
		kind = "proxy"
	}
	v := ""
	if len(w) > 2 {
		v = w[2]
	}
	d, bad, err := ParseTime(v)
	if v == "" || err != nil {
		detail := ""
		if v != "" && bad < len(v) {
			detail = fmt.Sprintf(" (unexpected character '%c')", v[bad])
		}
		s.alert(p, "'tcp-request inspect-delay' expects a positive delay in milliseconds, in %s '%s'%s", kind, px.Name, detail)
		return false
	}
	px.InspectDelay = d
	return false
}
