package proxy

import "time"

// A tcp-mode backend's `tcp-request content` rules, as HAProxy 2.6 runs
// them (its AN_REQ_INSPECT_BE analyser, measured on 2.6.12 beside goha:
// TestBackendContentTCPDifferential): once the frontend's rules accepted
// and use_backend chose the backend, on the bytes the frontend's rules
// read, waiting for more up to the backend's own `tcp-request
// inspect-delay`, counted from the first rule that waits; a reject
// closes the client as the frontend's does, logged with the backend's
// name; the sample fetches see the backend (be_id, be_name, its table
// for track-sc and sc_*).

// inspectBackendTCP runs be's content rules after the frontend's, which
// read pending. It returns what the client sent so far and false when
// the connection is refused or the client went away.
func (s *session) inspectBackendTCP(be *backend, pending []byte) ([]byte, bool) {
	s.info.Backend = ProxyRef{be.cfg.Name, be.cfg.ID}
	if len(be.cfg.TCPContentRules) == 0 {
		return pending, true
	}
	if tr := s.info.track; tr != nil {
		defer tr.ownFrom(tr.own) // backend_rules.go backendTable
		s.tablesOf(be)
	}
	return s.inspectRules(be.cfg.TCPContentRules, be, pending, be.cfg.InspectDelay, time.Time{})
}
