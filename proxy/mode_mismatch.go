package proxy

import "golang.org/x/net/http2"

// A dynamic `use_backend %[...]` names its backend per request, so the
// backend may run in the other mode than the frontend's.

// otherModeBackend ends the request of an HTTP frontend whose dynamic
// use_backend named a tcp backend: HAProxy 2.6's stream_set_backend
// fails there, and the connection closes without an answer, logged with
// the backend's name, <NOSRV>, status 500 and IR, counted as a 5xx of the
// frontend and as a session of the backend, with no request time (TR
// -1) (measured on 2.6.12: TestDynamicBackendOtherModeDifferential).
func (s *session) otherModeBackend(be *backend) bool {
	be.stats.sessions.Add(1)
	countRate(&be.stats, false)
	s.fe.stats.countStatus(500)
	s.info.Backend = ProxyRef{be.cfg.Name, be.cfg.ID}
	s.tl.aborted = true // TR -1
	// HAProxy counts the stream in the backend's be_conn and never
	// takes it back: %bc and show stat's scur keep it (measured: 1, then
	// 2 after a second such request)
	be.stats.curSessions.Add(1)
	s.emitLog(be, nil, 500, term('I', 'R'))
	if s.stream != nil {
		// an HTTP/2 stream is refused, its connection goes on
		// (measured: RST_STREAM REFUSED_STREAM)
		s.stream.Reset(http2.ErrCodeRefusedStream)
	}
	return false
}

// dynamicTCPBackend is the backend a tcp frontend's dynamic use_backend
// names, or its default backend when the name is no backend's (HAProxy
// then evaluates no other rule). When the configuration has an http
// backend the frontend is upgraded per connection (UpgradesPerConn), and
// an http backend found upgrades the stream (switch_conn.go); otherwise
// a backend found is a tcp one.
func (s *session) dynamicTCPBackend(u *UseBackend) *backend {
	if b := s.dynamicBackend(u); b != nil && (b.cfg.Mode == s.fe.cfg.Mode || s.fe.cfg.UpgradesPerConn) {
		return b
	}
	return s.fe.def
}
