package proxy

import (
	"syscall"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/sys/unix"
)

// Rule actions that end the client connection without an answer, and
// http-response set-status. Their values stand apart from the RuleAction
// list in config.go so that both lists can grow independently.
const (
	// Reject closes the client connection at once and sends nothing
	// (http-request reject).
	Reject RuleAction = 100 + iota
	// SilentDrop ends the client connection without telling the client:
	// nothing reaches it, not even a reset (http-request silent-drop).
	SilentDrop
	// SetStatus replaces the response's status with Status and its
	// reason with Value ("": HAProxy's phrase for Status).
	SetStatus
)

// dropClient ends a request the way http-request reject and silent-drop
// do in HAProxy 2.6: nothing answers it, the log line says PR with no
// status and no request time (the request never counts as received), and
// the caller closes the connection (reject: with a FIN, as measured).
// silent makes the close invisible to the client.
func (s *session) dropClient(silent bool) { s.dropClientOf(nil, silent) }

// dropClientOf is dropClient for a rule of be (nil: the frontend's): a
// backend's reject or silent-drop counts in the backend's denied requests
// and response classes too, and its log line names the backend (measured
// on HAProxy 2.6.12).
func (s *session) dropClientOf(be *backend, silent bool) {
	s.tl.aborted = true
	s.fe.stats.deniedReq.Add(1)
	s.fe.stats.countStatus(0) // no status: hrsp_other, as HAProxy counts it
	if be != nil {
		be.stats.deniedReq.Add(1)
		be.stats.countStatus(0)
	}
	s.emitLog(be, nil, 0, term('P', 'R'))
	if silent {
		s.silenceClient()
	}
	if s.stream != nil {
		// A reject (a frontend's or a backend's), or a silent-drop, on
		// an HTTP/2 stream: HAProxy's H2 mux resets the stream with
		// ENHANCE_YOUR_CALM and ends the connection, as for a content
		// reject, the other open streams reset with NO_ERROR (measured:
		// TestH2FrontendRejectMatchesHAProxy); silenced, nothing of it
		// leaves, and bytes the client sends later meet the kernel's
		// reset (TestH2SilentDropDifferential).
		s.stream.KillConn(http2.ErrCodeEnhanceYourCalm)
	}
}

// silenceClient silences the client's socket: the HTTP/2 connection's
// for a stream, whose other streams then go unseen too.
func (s *session) silenceClient() {
	if c := s.info.cliTCP; c != nil {
		silence(c)
	}
}

// silence makes closing the socket send nothing, as HAProxy's silent-drop
// does: TCP_REPAIR when the process may use it (the kernel then drops the
// connection without a FIN or a reset); otherwise a hop limit of 1 on the
// reset the close sends, so that it dies at the first router (on a local
// network it still arrives, as with HAProxy).
func silence(c syscall.Conn) {
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		if unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_REPAIR, 1) == nil {
			return
		}
		// One of the two applies, by the socket's family.
		unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TTL, 1)
		unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_UNICAST_HOPS, 1)
		unix.SetsockoptLinger(int(fd), unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	})
}

// dropResponse ends an exchange an http-response silent-drop stopped, as
// HAProxy 2.6 does: the response goes nowhere, the client is not told,
// the server connection is dropped; the log keeps the server's status
// with no response time and PR, and the frontend and backend count a
// denied request (measured).
func (x *exchange) dropResponse() {
	s := x.s
	x.serverClose, x.clientClose = true, true
	x.countResponse(s.resp.Status) // counted as received
	x.term = term('P', 'R')
	s.tl.respHead = time.Time{}
	s.fe.stats.deniedReq.Add(1)
	x.be.stats.deniedReq.Add(1)
	// On an HTTP/2 stream the connection stays, silenced, and the stream
	// goes without a frame: nothing more reaches the client, and it is
	// not closed before its next frame (measured on 2.6.12: a PING sent
	// later meets neither an answer nor a reset).
	s.silenceClient()
	if s.stream != nil {
		s.stream.Drop()
	}
}

// setStatus applies an http-response set-status rule to the response.
func (x *exchange) setStatus(r *HeaderRule) {
	resp := &x.s.resp
	resp.Status = r.Status
	reason := r.Value
	if reason == "" {
		reason = Reason(r.Status)
	}
	resp.Reason = append(resp.Reason[:0:0], reason...)
}
