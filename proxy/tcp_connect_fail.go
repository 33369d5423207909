package proxy

// heldAtClose counts what a tcp-mode session whose server connection
// failed (SC, sQ, IC) had received, and drains the rest before its close.
// HAProxy's request channel reads the client's bytes while it tries to
// connect, up to tune.bufsize less tune.maxrewrite (15360 bytes by
// default), and its close drains what is left in the socket
// (sock_drain): the client reads a FIN, not a reset. The bytes it held
// count as received: %U and the bin of the frontend, the backend and the
// server tried. Measured on 2.6.12 with 10 to 100000 bytes sent: bin
// grows by min(sent, 15360), the client reads EOF (goha closed with the
// bytes unread: a reset). A TLS client's bytes are left to its close.
func (s *session) heldAtClose(be *backend, pending []byte) {
	in := int64(len(pending)) // what content inspection read
	if s.c.TCPConn != nil && s.c.plain() {
		if room := s.p.lim.headLimit - len(pending); room > 0 {
			in += discardReady(s.c.TCPConn, room, 1) // switch_conn.go
		}
		drainReady(s.c.TCPConn)
	}
	s.received = in
	s.fe.stats.bytesIn.Add(in)
	be.stats.bytesIn.Add(in)
	if s.tl.failed != nil {
		s.tl.failed.stats.bytesIn.Add(in)
	}
}
