package proxy

// Monitor is a frontend's `monitor-uri` and `monitor fail` rules:
// HAProxy answers a request for the URI itself, before any http-request
// rule, with its 200 page, or its 503 page once a Fail condition holds,
// and never logs it.
type Monitor struct {
	URI  string      // "" = none
	Fail []Condition // each already says if or unless
}

// matches reports whether target asks for the monitor URI, as HAProxy
// 2.6 compares it: a URI starting with '/' is compared with the target's
// path (an absolute URI's too, query included), any other with the whole
// target; case counts.
func (m *Monitor) matches(target []byte) bool {
	if m.URI == "" {
		return false
	}
	if m.URI[0] == '/' && string(requestPath(target)) == m.URI {
		return true
	}
	return string(target) == m.URI
}

// monitorStatus is the status of the monitor answer: 503 once a Fail
// condition holds, else 200.
func (m *Monitor) monitorStatus(info *RequestInfo) int {
	for _, c := range m.Fail {
		if c.Match(info) {
			return 503
		}
	}
	return 200
}

// answerMonitor answers a request for the monitor URI (ok = it was one),
// with the frontend's page for the status (an errorfile may replace
// HAProxy's built-in one), counted as intercepted and not logged.
func (s *session) answerMonitor() (ok, keep bool) {
	m := s.fe.cfg.Monitor
	if m == nil || !m.matches(s.req.Target) {
		return false, false
	}
	s.beginRequest()
	code := m.monitorStatus(&s.info)
	s.fe.stats.intercepted.Add(1)
	s.fe.stats.countStatus(code)
	next, closeConn := s.writeAnswer(s.errorPage(code, nil), s.errorPageCloses(code, nil))
	if closeConn {
		return true, false
	}
	s.start = next
	return true, true
}
