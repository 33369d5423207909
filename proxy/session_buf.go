package proxy

import "time"

// takeBuf gives the session a read buffer from the proxy's pool.
func (s *session) takeBuf() {
	s.bp = s.p.getBuf()
	s.buf = *s.bp
}

// dropBuf returns the session's buffer to the pool (an idle, parked
// session holds none).
func (s *session) dropBuf() {
	if s.bp != nil {
		s.p.putBuf(s.bp)
		s.bp, s.buf = nil, nil
	}
}

// expectWait is how long a request with "Expect: 100-continue" holds its
// body back waiting for the server's interim response (curl waits 1s).
const expectWait = time.Second
