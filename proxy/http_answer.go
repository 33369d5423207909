package proxy

import (
	"errors"
	"fmt"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// The answers the proxy makes itself when it refuses or cannot serve a
// request, and the drain that follows a refusal.

// sendError answers with an error page; the caller then closes the
// connection, as HAProxy does after its own error responses.
func (s *session) sendError(code int, be *backend, srv *server) {
	s.errorPageFrom(be, srv) // after_page_fail.go
	var page []byte
	if s.stream == nil {
		// HAProxy's H1 layer gives the page the connection header the
		// client's request calls for: close when it asked to close,
		// keep-alive to an HTTP/1.0 client that asked to keep it; close
		// on a stopping proxy (a soft stop, hard-stop-after's 502s).
		page = s.withConnection(s.errorPage(code, be), s.req.WantsClose() || s.p.closeOnStop(), s.req.Minor)
	} else {
		// The stream's HEADERS drop a Connection field the page has:
		// HAProxy's HTX message counts it.
		page = s.afterPage(s.errorPage(code, be))
		s.uncounted -= pageConnSize(page)
	}
	s.sendPage(s.sentStatus(code), be, page)
}

// answerError answers a request no server took with the error page for
// code; like HAProxy, the connection then serves the next request when
// the request was whole and the client keeps it (writeAnswer).
func (s *session) answerError(code int, be *backend, t [2]byte) bool {
	var srv *server // the server that refused the connection
	if t[1] == 'C' {
		srv = s.tl.failed
	}
	s.errorPageFrom(be, srv) // its http-after-response rules first
	next, closeConn := s.writeAnswer(s.errorPage(code, be), s.errorPageCloses(code, be))
	s.fe.stats.countStatus(s.sentStatus(code))
	if be != nil {
		be.stats.countStatus(s.sentStatus(code))
	}
	if srv != nil { // its server's too (settleBytes: its backend's)
		srv.stats.bytesOut.Add(s.bytesOut())
		srv.stats.bytesIn.Add(s.bytesIn())
	}
	s.emitLog(be, nil, s.sentStatus(code), s.afterFlag(t))
	if !closeConn {
		s.start = next
		return true
	}
	// The rest of a body the page cut short is drained, not reset (a 503
	// after a connect failure, measured: TestHTTPConnectFailCloseDifferential).
	s.drainAndShut()
	return false
}

// sendParserError answers a request the H1 parser refused with HAProxy's
// built-in page: its H1 mux sends those itself, whatever the errorfiles.
func (s *session) sendParserError(code int, be *backend) {
	page := builtinPage(code)
	if code == 413 {
		page = []byte(parserPayloadPage) // HAProxy's H1 mux's, not the HTX one
	}
	s.fe.stats.countStatus(code)
	if be != nil {
		be.stats.countStatus(code)
	}
	s.clientWriteRaw(page) // written by the H1 mux: no h1-case-adjust
}

func (s *session) sendPage(code int, be *backend, page []byte) {
	s.fe.stats.countStatus(code)
	if be != nil {
		be.stats.countStatus(code)
	}
	s.clientWriteMessage(page)
}

// drainAndShut ends a connection the proxy refused a request on: the
// error page is followed by a FIN, then what the client still sends is
// read and dropped for a moment, so that closing does not answer unread
// bytes with a reset that could destroy the error page in flight (HAProxy
// sends the page, shuts its side and drains too).
func (s *session) drainAndShut() {
	s.c.CloseWrite()
	if s.stream != nil {
		return // the stream ends; its connection goes on
	}
	if s.c.noLinger {
		return // HAProxy resets it at once (nolinger.go)
	}
	deadline := time.Now().Add(drainTime)
	s.c.TCPConn.SetReadDeadline(deadline)
	for total := 0; total < drainMax; {
		n, err := s.c.TCPConn.Read(s.buf)
		total += n
		if err != nil {
			break
		}
	}
}

// The drain before closing after an error is bounded in time and bytes.
const (
	drainTime = 500 * time.Millisecond
	drainMax  = 1 << 20
)

// errRefusedResponse is a response head the H1 parser refused (or one
// too large for HAProxy's HTX buffer): HAProxy logs it PH, a proxy-side
// refusal, where a server that sent too little is SH (measured).
var errRefusedResponse = fmt.Errorf("%w: refused by the parser", errBadResponse)

// failResponse answers a request whose response could not be read: 502,
// or 504 on a timeout (an HTTP/2 stream is refused instead when it may be).
func (x *exchange) failResponse(err error) {
	if x.streamGone() { // h2_body_end.go
		return
	}
	x.srv.stats.respErrors.Add(1)
	x.be.stats.respErrors.Add(1)
	code, t := 502, term('S', 'H')
	if isTimeout(err) {
		code, t = 504, term('s', 'H')
	} else if errors.Is(err, h2.ErrMalformedHead) || errors.Is(err, errRefusedResponse) {
		t = term('P', 'H') // HAProxy's mux refuses the head: a proxy-side error
	}
	x.status, x.term = code, t
	if x.refuseStream(err) {
		return
	}
	// HAProxy counts a server's statuses on the responses it received
	// only (http_wait_for_response), never on these pages.
	x.s.sendError(code, x.be, x.srv)
	x.status, x.term = x.s.sentStatus(code), x.s.afterFlag(t)
}
