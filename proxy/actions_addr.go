package proxy

import "net"

// set-src, set-dst, set-src-port and set-dst-port (HAProxy 2.6 tcp_act.c):
// the rule's Exec changes RequestInfo.Src or Dst; the session then sees
// the new address wherever it reads one (the src/dst fetches, %ci/%cp and
// %fi/%fp in logs, option forwardfor and originalto, balance source).
// As in 2.6, where an address lives depends on the rule set: a
// tcp-request connection or session rule changes the connection's, kept
// for every request on it; a tcp-request content or http-request rule
// changes the stream's only, and the next request on a kept-alive
// connection starts from the connection's again (transaction).

// SetAddr runs Exec, one of the four actions, then takes the addresses it
// left in the request facts.
const SetAddr RuleAction = 1000

// socketAddrs sets the addresses from the socket unless tcp-request
// connection rules set them already (rejectConn).
func (s *session) socketAddrs() {
	if s.src.IsValid() {
		return
	}
	s.src = peerAddr(s.c)
	if la, ok := s.c.LocalAddr().(*net.TCPAddr); ok {
		s.dst = unmapped(la.AddrPort())
	}
}

// takeAddrs makes the addresses the rules left in s.info the session's.
func (s *session) takeAddrs() {
	s.src, s.dst = s.info.Src, s.info.Dst
}

// resetStreamAddrs starts a request from the connection's addresses: what
// an earlier request's stream-level set-src/set-dst changed is gone.
func (s *session) resetStreamAddrs() {
	s.src, s.dst = s.connSrc, s.connDst
	s.info.Src, s.info.Dst = s.src, s.dst
}

// keepConnAddrs records the addresses of the connection once its
// connection and session rules ran.
func (s *session) keepConnAddrs() {
	s.connSrc, s.connDst = s.src, s.dst
}
