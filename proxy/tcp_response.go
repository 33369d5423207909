package proxy

import "time"

// `tcp-response content` rules of a backend. HAProxy 2.6 runs them in its
// response inspection analyser, which a stream meets as soon as the
// server connection is up: without a condition waiting for response bytes
// (res.payload in TCP mode: tcp_response_inspect.go), they decide before
// any byte of the response, in TCP and in HTTP mode alike
// (measured: a reject there sends the client a FIN and logs PD, a close
// ends the server connection, which HTTP mode answers with a 502 SH).

type tcpResVerdict uint8

const (
	resAccept tcpResVerdict = iota
	resReject
	resClose
	// resSilentDrop: the client's connection ends unseen (tcp mode).
	resSilentDrop
)

// tcpResponseVerdict runs be's tcp-response content rules on no response
// bytes (tcpResponseRules).
func (s *session) tcpResponseVerdict(be *backend) tcpResVerdict {
	v, _, _ := s.tcpResponseRules(be, 0) // tcp_response_inspect.go
	return v
}

// countDeniedResp counts a response a tcp-response reject refused, on the
// frontend, the backend and the server (dresp).
func (s *session) countDeniedResp(be *backend, srv *server) {
	s.fe.stats.deniedResp.Add(1)
	be.stats.deniedResp.Add(1)
	srv.stats.deniedResp.Add(1)
}

// tcpResOutcome is what the tcp-response rules of a TCP session did:
// ended says the session ends there, to be logged with the termination
// state t. When the rules read the response's bytes, the inspected
// request bytes went to the server first (sent), head is what the server
// sent meanwhile, for the client, and up the client bytes forwarded.
type tcpResOutcome struct {
	ended, sent bool
	t           [2]byte
	head        []byte
	up          int64
}

// tcpResponseTCP applies the verdict in TCP mode, once the server
// connection is up; pending is what the request rules inspected.
func (s *session) tcpResponseTCP(be *backend, srv *server, sc *tconn, pending []byte) (o tcpResOutcome) {
	if len(be.cfg.TCPResponseRules) == 0 {
		return o
	}
	v := resAccept
	if be.cfg.ResInspect.Payload {
		if len(pending) > 0 {
			if _, err := sc.write(pending, be.cfg.Timeouts.Server); err != nil {
				return tcpResOutcome{ended: true, t: term('S', 'D')}
			}
		}
		o.sent = true
		v, o.head, o.up = s.inspectResponse(be, sc) // tcp_response_inspect.go
	} else {
		v = s.tcpResponseVerdict(be)
	}
	switch v {
	case resReject:
		s.countDeniedResp(be, srv)
		sc.SetLinger(0)
		o.ended, o.t = true, term('P', 'D')
	case resClose:
		sc.SetLinger(0)
		o.ended, o.t = true, term('-', '-')
	case resSilentDrop:
		// Measured on HAProxy 2.6: nothing reaches the client, a denied
		// request is counted (frontend and backend), the line logs PR
		// with no byte.
		s.fe.stats.deniedReq.Add(1)
		be.stats.deniedReq.Add(1)
		if s.c.TCPConn != nil {
			silence(s.c.TCPConn)
		}
		sc.SetLinger(0)
		o.ended, o.t = true, term('P', 'R')
	}
	return o
}

// tcpResponse applies the verdict in HTTP mode, once the request went to
// the server and before its response is read. It returns true when the
// exchange ends there (reject: nothing answers the client, which the
// caller closes; logged -1 with no response time, PD). A close ends the
// server connection: reading the response then fails, as in HAProxy.
func (x *exchange) tcpResponse() (ended bool) {
	s := x.s
	if len(x.be.cfg.TCPResponseRules) == 0 {
		return false
	}
	switch s.tcpResponseVerdict(x.be) {
	case resReject:
		s.countDeniedResp(x.be, x.srv)
		s.fe.stats.countStatus(0) // no status: hrsp_other, as HAProxy counts it
		x.be.stats.countStatus(0)
		x.status, x.term = 0, term('P', 'D')
		s.tl.respHead = time.Time{}
		x.clientClose, x.serverClose = true, true
		return true
	case resClose:
		x.reused = false // the read that fails is no stale pooled connection
		x.sc.SetLinger(0)
		x.sc.Close()
	}
	return false
}
