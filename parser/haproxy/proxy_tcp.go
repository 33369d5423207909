package haproxy

import (
	"fmt"
	"strings"
	"time"
)

// Handlers of the TCP rule keywords (tcp-request, tcp-response) and of
// stick-table; rows in proxyKeywordTable.

func (s *state) parseTCPRequest(px *Proxy, l *kwLine) bool {
	p, w := l.p, l.w
	if s.badTCPRequestAction(px, p, w) { // tcp_request_actions.go
		return false
	}
	if s.badTCPActionWord(p, w) { // counter_words.go
		return false
	}
	if s.badTCPExpectProxy(px, p, w) { // tcp_expect.go
		return false
	}
	if s.badTCPCapture(px, p, w) { // tcp_capture.go
		return false
	}
	if s.badTCPContentService(px, p, w) { // tcp_content_misc.go
		return false
	}
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
	if len(w) > 2 && ((w[1] == "content" || w[1] == "session") && isTrackSC(w[2]) || w[1] == "session" && verdict) {
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
	if len(w) > 2 && w[1] == "content" && IsDoResolve(w[2]) {
		if r, ok := simpleRule(w, 3); ok {
			if _, msg := ParseDoResolve(w[2], len(r.Args)); msg != "" {
				s.alert(p, "%s", msg) // HAProxy's words, without a final period here
				return false
			}
			r.Pos, r.Action = p, w[2]
			px.TCPContentRules = append(px.TCPContentRules, r)
			return false // the wire maps it or reports it
		}
	}
	if len(w) > 2 && (w[1] == "connection" || w[1] == "session" || w[1] == "content") {
		if _, isVar, _ := ParseVarAction(w[2]); isVar || IsAddrAction(w[2]) || IsSCCounterAction(w[2]) || w[2] == "set-mark" || w[2] == "set-tos" || w[1] == "content" && IsPriorityAction(w[2]) {
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
	if s.tcpRequestSockopt(px, p, w) { // tcp_sockopt.go: set-mark, set-tos
		return false // the wire maps them or reports them
	}
	if s.tcpExpectProxy(px, p, w) { // tcp_expect.go
		return false
	}
	if s.tcpCapture(px, p, w) { // tcp_capture.go
		return false
	}
	if s.tcpSwitchMode(px, p, w) { // tcp_content_misc.go
		return false
	}
	if s.tcpSetNice(px, p, w) { // tcp_set_nice.go
		return false
	}
	if len(w) >= 2 && w[1] == "inspect-delay" {
		return s.inspectDelay(px, p, w)
	}
	s.d.Unsupported(p.File, p.Line, "tcp-request")
	return false
}

// isTrackSC says whether an action word is track-sc<n>.
func isTrackSC(action string) bool { return RuleActionName(action) == "track-sc" }

// IsSCCounterAction says whether an action word is one of the sticky
// counter actions that track nothing: sc-inc-gpc0/gpc1/gpc(...) and
// sc-set-gpt0/gpt(...).
func IsSCCounterAction(action string) bool {
	_, _, _, _, ok := parseCounterWord(action) // counter_words.go: by prefix, as HAProxy
	return ok
}

func (s *state) parseTCPResponse(px *Proxy, l *kwLine) bool {
	if len(l.w) < 2 {
		s.alert(l.p, "missing argument for '%s' in %s '%s'", l.w[0], px.Kind, px.Name)
		return false
	}
	if px.Kind == "frontend" {
		// HAProxy's tcp-response parser refuses a proxy without the
		// backend capability itself, before reading its arguments.
		s.alert(l.p, "%s %s is only allowed in 'backend' sections or 'defaults' section with a name", l.w[0], l.w[1])
		return false
	}
	w := l.w
	kind := px.Kind
	if kind == "listen" {
		kind = "proxy"
	}
	switch {
	case w[1] == "inspect-delay":
		d, ok := s.checkInspectDelay(px, l.p, w)
		if !ok {
			return false
		}
		px.ResInspectDelay = d
		s.timerWarnAfter(l.p, w[:min(len(w), 3)], "inspect-delay")
		return s.parseRawKeyword(px, l)
	case w[1] != "content":
		s.alert(l.p, "'%s' expects 'inspect-delay' or 'content' in %s '%s' (got '%s')", w[0], kind, px.Name, w[1])
		return false
	case len(w) == 2 || !knownTCPResponseAction(w[2]):
		got := ""
		if len(w) > 2 {
			got = w[2]
		}
		s.alert(l.p, "'%s content' expects %s in %s '%s' (got '%s').%s", w[0], tcpResponseActions, kind, px.Name, got,
			actionDidYouMean(got, tcpResRegistered, tcpResExtras))
		return false
	}
	if s.badTCPActionWord(l.p, w) { // counter_words.go
		return false
	}
	if !s.rawCheck(l) {
		return false
	}
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: w})
	if tcpResponseVerdict(w[2]) {
		if r, ok := simpleRule(w, 3); ok {
			s.warnTCPResponseNever(px, l.p, r.Cond) // tcp_response_never.go
			r.Pos, r.Action = l.p, w[2]
			px.TCPResponseRules = append(px.TCPResponseRules, r)
			return false // the wire maps them or reports them
		}
	}
	if s.tcpResponseSockopt(px, l.p, w) { // tcp_sockopt.go: set-mark, set-tos
		return false // the wire maps them or reports them
	}
	// The other actions, by their own rows (unsupported or inert).
	s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: l.p, Args: w})
	s.d.Unsupported(l.p.File, l.p.Line, "tcp-response content "+w[2])
	return false
}

// tcpResponseActions are the actions HAProxy 2.6 lists when a
// tcp-response content rule has none.
const tcpResponseActions = "'accept', 'close', 'reject', 'ot-group', 'set-log-level', 'set-nice', 'sc-inc-gpc(*)', 'sc-inc-gpc0(*)', 'sc-inc-gpc1(*)', " +
	"'sc-set-gpt(*)', 'sc-set-gpt0(*)', 'send-spoe-group', 'set-var-fmt(*)', 'set-var(*)', 'unset-var(*)', 'set-mark', 'set-tos', 'silent-drop'"

// knownTCPResponseAction says whether HAProxy 2.6 knows a tcp-response
// content action: a "(*)" one is matched by its prefix, as HAProxy does
// (its own parser then refuses sc-inc-gpc or set-varx: badTCPActionWord).
func knownTCPResponseAction(a string) bool {
	for _, q := range strings.Split(tcpResponseActions, ", ") {
		name := strings.Trim(q, "'")
		if base, ok := strings.CutSuffix(name, "(*)"); ok {
			if strings.HasPrefix(a, base) {
				return true
			}
		} else if a == name {
			return true
		}
	}
	return false
}

// tcpResponseVerdict says whether goha models a tcp-response content
// action: accept, reject, close and the variable actions.
func tcpResponseVerdict(action string) bool {
	if _, isVar, _ := ParseVarAction(action); isVar {
		return true
	}
	return action == "accept" || action == "reject" || action == "close" || IsSCCounterAction(action)
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
	case sub == "connection" && px.sawTCPSession:
		s.warn(p, "a '%s' rule placed after a 'tcp-request session' rule will still be processed before.", name)
	case sub != "content" && px.sawTCPContent:
		s.warn(p, "a '%s' rule placed after a 'tcp-request content' rule will still be processed before.", name)
	case px.sawHTTPRequest:
		s.warn(p, "a '%s' rule placed after an 'http-request' rule will still be processed before.", name)
	case px.sawRedirect:
		s.warn(p, "a '%s' rule placed after a 'redirect' rule will still be processed before.", name)
	case px.sawUseBackend:
		s.warn(p, "a '%s' rule placed after a 'use_backend' rule will still be processed before.", name)
	}
	switch sub {
	case "content":
		px.sawTCPContent = true
	case "session":
		px.sawTCPSession = true
	}
}

// inspectDelay is `tcp-request inspect-delay <timeout>`, checked as
// HAProxy 2.6 does.
func (s *state) inspectDelay(px *Proxy, p Pos, w []string) bool {
	if d, ok := s.checkInspectDelay(px, p, w); ok {
		px.InspectDelay = d
	}
	return false
}

// checkInspectDelay reads the delay of `tcp-request|tcp-response
// inspect-delay <timeout>`, or says what is wrong with it as HAProxy does.
func (s *state) checkInspectDelay(px *Proxy, p Pos, w []string) (time.Duration, bool) {
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
		s.alert(p, "'%s inspect-delay' expects a positive delay in milliseconds, in %s '%s'%s", w[0], kind, px.Name, detail)
		return 0, false
	}
	return d, true
}
