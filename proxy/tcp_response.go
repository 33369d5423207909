package proxy

import "time"

// `tcp-response content` rules of a backend. HAProxy 2.6 runs them in its
// response inspection analyser, which a stream meets as soon as the
// server connection is up: without a condition waiting for response bytes
// (goha accepts only layer-4 fetches and variables in them), they decide
// before any byte of the response, in TCP and in HTTP mode alike
// (measured: a reject there sends the client a FIN and logs PD, a close
// ends the server connection, which HTTP mode answers with a 502 SH).

type tcpResVerdict uint8

const (
	resAccept tcpResVerdict = iota
	resReject
	resClose
)

// tcpResponseVerdict runs be's tcp-response content rules in order: the
// first accept, reject or close whose condition holds decides, the
// variable rules on the way run; none left accepts.
func (s *session) tcpResponseVerdict(be *backend) tcpResVerdict {
	rules := be.cfg.TCPResponseRules
	for i := range rules {
		r := &rules[i]
		if r.Cond != nil && !r.Cond.Match(&s.info) {
			continue
		}
		switch {
		case r.Exec != nil:
			r.Exec(&s.info)
		case r.Reject:
			return resReject
		case r.Close:
			return resClose
		default:
			return resAccept
		}
	}
	return resAccept
}

// countDeniedResp counts a response a tcp-response reject refused, on the
// frontend, the backend and the server (dresp).
func (s *session) countDeniedResp(be *backend, srv *server) {
	s.fe.stats.deniedResp.Add(1)
	be.stats.deniedResp.Add(1)
	srv.stats.deniedResp.Add(1)
}

// tcpResponseTCP applies the verdict in TCP mode, once the server
// connection is up; ended says the session ends there, to be logged with
// the termination state t.
func (s *session) tcpResponseTCP(be *backend, srv *server, sc *tconn) (ended bool, t [2]byte) {
	if len(be.cfg.TCPResponseRules) == 0 {
		return false, t
	}
	switch s.tcpResponseVerdict(be) {
	case resReject:
		s.countDeniedResp(be, srv)
		sc.SetLinger(0)
		return true, term('P', 'D')
	case resClose:
		sc.SetLinger(0)
		return true, term('-', '-')
	}
	return false, t
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
