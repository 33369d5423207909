package haproxy

// Handlers of the health-check rule keywords (http-check, tcp-check); rows
// in proxyKeywordTable. The check options are in proxy_options.go.

func (s *state) parseHTTPCheck(px *Proxy, l *kwLine) bool {
	w, p := l.w, l.p
	switch l.arg(1) {
	case "expect":
		if len(w) < 3 {
			s.alert(p, "'http-check expect' : expects at least a matching pattern as arguments.")
			return false
		}
	case "comment":
		if len(w) < 3 {
			s.alert(p, "'http-check comment' : expects a string as argument.")
			return false
		}
	case "send":
		for i := 2; i < len(w); i++ {
			switch w[i] {
			case "comment", "meth", "uri", "uri-lf", "ver", "hdr", "body", "body-lf":
				i++
				if w[i-1] == "hdr" {
					i++
				}
			default:
				s.alert(p, "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '%s' as argument..", w[i])
				return false
			}
		}
	}
	if !s.checkConnectAlert(l) {
		return false
	}
	if msg := CheckVarAlert(w); msg != "" {
		s.alert(p, "%s", msg)
		return false
	}
	px.HTTPCheck.Rules = append(px.HTTPCheck.Rules, ParseHTTPCheckStep(p, w))
	if a := l.arg(1); a != "disable-on-404" && a != "send-state" && !px.HTTPCheck.Enabled {
		px.TCPCheck.unusedHTTP = true
	}
	return false
}

func (s *state) parseTCPCheck(px *Proxy, l *kwLine) bool {
	w, p := l.w, l.p
	if msg := rawChecks[l.kw](w); msg != "" {
		s.alert(p, "%s", msg)
		return false
	}
	if !s.checkConnectAlert(l) {
		return false
	}
	if msg := CheckVarAlert(w); msg != "" {
		s.alert(p, "%s", msg)
		return false
	}
	if !px.TCPCheck.ownRules {
		px.TCPCheck.Rules, px.TCPCheck.ownRules = nil, true
	}
	px.TCPCheck.Rules = append(px.TCPCheck.Rules, ParseTCPCheckStep(p, w))
	if o := px.TCPCheck.Option; o == nil || o.Name != "tcp-check" {
		px.TCPCheck.unusedTCP = true
	}
	return false
}

// checkConnectAlert reports HAProxy's complaint about a `connect` line
// (false: the line is dropped, as HAProxy's parser drops it).
func (s *state) checkConnectAlert(l *kwLine) bool {
	if l.arg(1) != "connect" {
		return true
	}
	kw := l.w[0]
	if _, alert, _ := ParseCheckConnect(kw, l.w[2:]); alert != "" {
		s.alert(l.p, "'%s connect' : %s", kw, alert)
		return false
	}
	return true
}
