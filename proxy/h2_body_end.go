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
// in its backend's cli_abrt (TestH2RequestBodyPastEndMatchesHAProxy).
func (s *session) streamAbortedEarly(be *backend) bool {
	if s.stream == nil || !s.stream.Aborted() {
		return false
	}
	countAbort(be, nil, term('C', 'R'))
	s.emitLog(be, nil, -1, term('C', 'R'))
	return true
}
