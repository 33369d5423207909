package proxy

// A tcp frontend whose streams HAProxy 2.6 upgrades to HTTP (a
// `tcp-request content switch-mode http`, or an HTTP backend: see
// haproxycfg/switchmode.go) is run as an HTTP frontend with
// Frontend.UpgradedFromTCP set, or upgraded per connection
// (switch_conn.go). On the connection's first request the
// TCP stream that HAProxy upgrades is still there, which shows when the
// head never comes whole (measured on 2.6.12): the 400 or 408 is logged
// PR rather than CR or cR, with %ST 0 (emitSessLog), and ereq counts it
// twice. An upgrade by the
// backend's mode happened once the backend was set, which counted a
// session on it (stream_set_backend): the refused request counts one
// there too.

// upgradedFirst: the session's request is the first of a connection to
// an upgraded tcp frontend.
func (s *session) upgradedFirst() bool {
	return (s.fe.cfg.UpgradedFromTCP || s.sw.up.Load()) && !s.notFirst && s.stream == nil
}

// headEndTerm is the termination state of a request whose head did not
// come whole before the client (side 'C') or its timeout ('c') ended the
// wait.
func (s *session) headEndTerm(side byte) [2]byte {
	if s.upgradedFirst() {
		return term('P', 'R')
	}
	return term(side, 'R')
}

// countRefusedFirst counts, for refusedRequest, what HAProxy's upgraded
// TCP stream had counted besides the H1 mux's ereq; an HTTP/2 preface
// refused (switch-mode http proto h1) counts once (measured).
func (s *session) countRefusedFirst(preface bool) {
	if !s.upgradedFirst() {
		return
	}
	if !preface {
		s.fe.stats.reqErrors.Add(1)
	}
	s.countUpgradedStream()
}

// countUpgradedStream counts the session HAProxy's TCP stream counted on
// the backend when the backend's mode upgraded it: for a first request
// refused, and for a connection that went on as HTTP/2 (its preface:
// HAProxy drops that stream, its streams count their own).
func (s *session) countUpgradedStream() {
	if !s.upgradedByBackend() || s.notFirst || s.stream != nil {
		return
	}
	if be := s.upgradingBackend(); be != nil {
		be.stats.sessions.Add(1)
		countRate(&be.stats, false)
	}
}
