package proxy

// ownAnswerEnds reports an HTTP/1 connection whose CONNECT request got an
// answer the proxy made itself (a deny, return, redirect or tarpit page,
// a 503 without server, a 502 or 504 for a server's answer it could not
// read): HAProxy 2.6's H1 layer writes that answer with the connection
// header of a connection kept (none to HTTP/1.1, keep-alive to an
// HTTP/1.0 client that asked to keep it) and then closes the
// connection; a server's own non-2xx answer leaves it open for the next
// request (measured: TestConnectCloseMatchesHAProxy).
func (s *session) ownAnswerEnds() bool {
	return s.stream == nil && s.req.IsConnect()
}
