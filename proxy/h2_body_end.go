package proxy

// awaitRequestEnd: an HTTP/2 request whose body came whole by its
// content-length but whose END_STREAM had not come when its response
// was complete is kept, with its log line, until the request ends, as
// HAProxy 2.6 keeps the stream (h2.Stream.AwaitRequestEnd): DATA past the
// content-length, a reset or the connection's end make it CD, `timeout
// client` running out cD (counted in cli_abrt by countDataAbort);
// END_STREAM leaves t as it is (TestH2RequestBodyPastEndMatchesHAProxy).
// Only a transaction that ended well (----) waits: its server
// connection is released first.
func (s *session) awaitRequestEnd(t *[2]byte) {
	if s.stream == nil || *t != term('-', '-') {
		return
	}
	switch s.stream.AwaitRequestEnd(s.fe.cfg.Timeouts.Client) {
	case 'C':
		*t = term('C', 'D')
	case 'c':
		*t = term('c', 'D')
	}
}

// streamAbortedEarly: an HTTP/2 stream reset before its request went to
// a server (the client's RST_STREAM, or DATA past the content-length,
// in the same read as its HEADERS) is not forwarded: HAProxy sees the
// error before it connects and logs CR, no server, status -1, counted
// in its backend's cli_abrt and, without a status, in the frontend's and
// the backend's hrsp_other (TestH2RequestBodyPastEndMatchesHAProxy,
// TestH2ClientGoneAfterRequestMatchesHAProxy).
func (s *session) streamAbortedEarly(be *backend) bool {
	if !s.streamAborted() {
		return false
	}
	countAbort(be, nil, term('C', 'R'))
	s.fe.stats.countStatus(0)
	be.stats.countStatus(0)
	s.emitLog(be, nil, -1, term('C', 'R'))
	return true
}

// streamGone: an HTTP/2 stream the client reset (its RST_STREAM, or a
// connection reset) while its response was awaited. HAProxy logs no
// status, CD, and counts the abort on the client's side (cli_abrt), the
// missing status in the frontend's and the backend's hrsp_other, not a
// response error (measured on 2.6.12:
// TestH2ClientGoneAfterRequestMatchesHAProxy); goha's session saw its
// server connection cut (streamSession.Abort).
func (x *exchange) streamGone() bool {
	s := x.s
	if !s.streamAborted() {
		return false
	}
	x.status, x.term = -1, term('C', 'D')
	s.fe.stats.countStatus(0)
	x.be.stats.countStatus(0)
	return true
}

// streamAborted says whether the session's HTTP/2 stream was reset: a
// server connection it finds closed was cut by streamSession.Abort, not
// by its server, and is not tried again.
func (s *session) streamAborted() bool { return s.stream != nil && s.stream.Aborted() }
