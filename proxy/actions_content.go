package proxy

// `tcp-request content accept|reject` in an HTTP frontend. HAProxy runs
// a frontend's content rules on each request's stream before its HTTP
// analysers: accept ends the content rules (the http-request rules still
// run), reject closes the connection without an answer, before the
// request is counted (req_tot) or named in the log ("<BADREQ>", status
// -1, TR -1, PR--; dreq and hrsp_other count it), as measured on HAProxy
// 2.6.12.
const (
	// ContentAccept skips the tcp-request content rules after it
	// (HeaderRule.Skip of them).
	ContentAccept RuleAction = 800 + iota
	// ContentReject closes the client connection unanswered.
	ContentReject
	// ContentSilentDrop is ContentReject without a sign to the client
	// (tcp-request content silent-drop).
	ContentSilentDrop
)

// rejectContent ends a request a tcp-request content reject or
// silent-drop (silent) rule refused.
func (s *session) rejectContent(silent bool) {
	s.fe.stats.requests.Add(-1) // counted when the head was read; HAProxy never counts it
	s.tl.noRequest = true
	s.dropClient(silent)
}
