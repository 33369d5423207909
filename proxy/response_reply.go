package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// countDropped counts for the log (%B) the server's response a reply
// replaces, as HAProxy 2.6 counts it (measured: the reply's bytes plus
// the head, counted as received, and the body already buffered): its
// head's counted size and the Content-Length body bytes behind it.
func (x *exchange) countDropped(counted int64, kind http1.BodyKind) {
	resp := &x.s.resp
	n := counted
	switch kind {
	case http1.BodyLength:
		n += min(int64(x.send-x.sstart-resp.HeadLen), resp.ContentLength)
	case http1.BodyChunked:
		size, _ := x.bufferedChunks() // HAProxy counts the data it held (actions_strict.go)
		n += size
	}
	x.s.uncounted -= n
}

// answerResponseRule sends, instead of the server's response, the answer
// of an http-response deny, return or redirect rule, as HAProxy 2.6 does
// (http_process_res_common): the server's response and the connection to
// it are dropped, the client gets the reply with the connection header
// of the proxy's own answers and keeps its connection as it would have
// kept it for the server's response (the request was read whole). It
// returns whether the client connection serves another request.
func (x *exchange) answerResponseRule(r *HeaderRule) bool {
	s := x.s
	if r.Action == SilentDrop {
		x.dropResponse() // actions_drop.go
		return false
	}
	x.serverClose = true // its body is left unread
	status, closeConn := r.Status, x.clientClose || r.Close
	var page []byte
	switch {
	case r.Action == Redirect:
		// Measured: the location's %[...] still read the response.
		status = r.Redirect.Code
		var buf [256]byte
		page = r.Redirect.AppendResponse(buf[:0], &s.info)
	case r.Dynamic != nil:
		// Measured: a reply's payload is built on an emptied response,
		// where status and res.* have no value.
		s.info.resp = nil
		page = r.Dynamic.Build(&s.info)
	case r.Reply != nil:
		page = r.Reply
	default:
		if status == 0 {
			status = 502
		}
		page = s.errorPage(status, x.be)
		closeConn = closeConn || s.errorPageCloses(status, x.be)
	}
	x.status, x.term = status, term('L', 'H')
	if r.Action == Deny {
		x.term = term('P', 'H')
		s.countHTTPStatus(status, false)
		// HAProxy's deny path counts dresp everywhere.
		s.fe.stats.deniedResp.Add(1)
		x.be.stats.deniedResp.Add(1)
		if x.srv != nil {
			x.srv.stats.deniedResp.Add(1)
		}
	}
	s.tl.respHead = time.Time{} // a reply in place of the response: Tr -1 (measured)
	s.fe.stats.countStatus(status)
	x.be.stats.countStatus(status)
	x.clientClose = closeConn
	s.after.be = x.be // its http-after-response rules first
	err := s.clientWriteMessage(s.withConnection(page, closeConn, s.req.Minor))
	x.status = s.afterStatus(status)
	if err != nil {
		return false
	}
	return !closeConn
}
