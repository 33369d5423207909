package proxy

// An http-after-response rewrite that fails on an error page the proxy
// answers with when no server answered (503, 504, 502) replaces it with
// the 500 page, as on any page the proxy makes (afterPage). HAProxy's
// http_reply_and_close then logs the 500, with the termination flags'
// first letter P (SF_ERR_PRXCOND, when the phase letter was already set:
// SC becomes PC, sH becomes PH), counts the 500 in the frontend's and
// backend's status counters, and counts the failed rewrites in the
// frontend, backend and server but no internal error (measured on
// 2.6.12, TestAfterResponsePageFailDifferential).

// errorPageFrom readies the http-after-response rules for the error page
// about to be sent for the request to be and srv (either may be nil).
func (s *session) errorPageFrom(be *backend, srv *server) {
	s.after.be, s.after.srv, s.after.nextErrPage = be, srv, true
}

// afterFlag is t, with P for its first letter when the page just sent
// was replaced by the 500 page.
func (s *session) afterFlag(t [2]byte) [2]byte {
	if s.after.pageFailed {
		return term('P', t[1])
	}
	return t
}

// sentStatus is the status of the page just sent: code, or 500 when it
// was replaced, or the one an http-after-response set-status gave it.
func (s *session) sentStatus(code int) int {
	if s.after.pageFailed {
		return 500
	}
	return s.afterStatus(code)
}
