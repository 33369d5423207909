package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// http-request strict-mode on|off and failed header rewrites (HAProxy 2.6
// HTTP_MSGF_SOFT_RW). HAProxy holds a message in an HTX buffer of
// tune.bufsize; a set-header or add-header whose field does not fit fails.
// In strict mode (the default, and after strict-mode on) the request is
// then answered 500 and logged PR with no request time; after
// strict-mode off the rule's field is left out (set-header's removal of
// the old fields stays) and the rules go on. Each request starts strict.

// StrictMode sets the request's strict mode: Status 1 is off, 0 on.
const StrictMode RuleAction = 1100

// An HTX buffer's room is tune.bufsize less HAProxy 2.6's 48-byte struct
// htx (bufLimits.htxRoom, 16336 by default), counted as htxHeadBlocks
// counts. Measured on 2.6.12: a field fits exactly up to it, unused
// blocks and holes included (htx_room.go).

// htxBlock is the size of an HTX block's header: each field, the start
// line and the end of the head take one besides their bytes.
const htxBlock = 8

// htxHeadBlocks is the number of blocks a head with the fields hs takes:
// the start line, the end of the head, and each field but the Connection
// fields the H1 parser consumed.
func htxHeadBlocks(hs []http1.Header) int {
	n := 2
	for _, h := range hs {
		if !(http1.EqualFold(h.Name, "connection") && onlyHopTokens(h.Value)) {
			n++
		}
	}
	return n
}

// fieldFits reports whether a field name: value still fits in the
// request's head.
func (s *session) fieldFits(name string, value []byte) bool {
	need := len(name) + len(value)
	l := &s.edits.room
	if s.stream == nil && !s.req.Chunked && s.req.ContentLength <= 0 {
		// No body in the buffer (reqBufferedBody's 0, without its
		// call): the bound below.
		bound := s.req.HeadLen + len(s.edits.arena) + len(s.info.Target) + htxStartLine +
			htxBlock*(len(s.edits.list)+4+l.unused)
		if bound+need <= s.p.lim.htxRoom {
			return true
		}
	}
	body := s.reqBufferedBody() // rewrite_room.go
	if s.stream == nil {
		// The common case without counting: the HTTP/1 head as received
		// bounds its fields' bytes, the arena the added ones' (holes
		// included), and the start line takes at most the target and
		// htxStartLine more.
		bound := s.req.HeadLen + len(s.edits.arena) + len(s.info.Target) + htxStartLine +
			htxBlock*(len(s.edits.list)+4+l.unused) + body
		if bound+need <= s.p.lim.htxRoom {
			return true // add() places it
		}
	}
	data := int(htxHeadSize(s.info.Method, s.info.Target, s.req.Version, s.edits.list)) + body
	blocks := htxHeadBlocks(s.edits.list)
	if body > 0 {
		blocks++
	}
	return l.fits(s.p.lim.htxRoom, data, blocks, need)
}

// respFits is fieldFits for a response head resp with the fields e.list
// and body bytes of its body in the buffer (one more block when any).
func respFits(room int, resp *http1.Response, e *editedHeaders, body int, name string, value []byte) bool {
	data := int(htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, e.list)) + body
	blocks := htxHeadBlocks(e.list)
	if body > 0 {
		blocks++
	}
	return e.room.fits(room, data, blocks, len(name)+len(value))
}

// countFailedRewrite counts a rewrite that found no room (wrew) in the
// frontend and, once known, the backend and the server, as HAProxy's
// fail_rewrite path; internal also counts the internal error (eint) a
// strict mode answers with.
func (s *session) countFailedRewrite(be *backend, srv *server, internal bool) {
	for _, c := range []*Counters{&s.fe.stats, beStats(be), srvStats(srv)} {
		if c == nil {
			continue
		}
		c.failedRewrites.Add(1)
		if internal {
			c.internalErrors.Add(1)
		}
	}
}

func beStats(be *backend) *Counters {
	if be == nil {
		return nil
	}
	return &be.stats
}

func srvStats(srv *server) *Counters {
	if srv == nil {
		return nil
	}
	return &srv.stats
}

// failRewrite answers a request whose rewrite failed in strict mode: the
// 500 page (a backend's rule: be's first, be named in the log), logged PR with TR -1, as HAProxy's
// return_fail_rewrite path. It returns whether the connection goes on.
func (s *session) failRewrite(be *backend) bool {
	const status = 500
	if be != nil {
		s.after.be = be // its http-after-response rules first
	}
	page := s.errorPage(status, be)
	forceClose := s.errorPageCloses(status, be)
	s.countHTTPStatus(status, false)
	s.fe.stats.countStatus(status)
	s.tl.aborted = true
	next, closeConn := s.writeAnswer(page, forceClose)
	s.emitLog(be, nil, status, term('P', 'R'))
	if !closeConn {
		s.start = next
		return true
	}
	s.drainAndShut()
	return false
}

// resFieldFits is fieldFits for the server's response under its
// http-response rules.
func (x *exchange) resFieldFits(name string, value []byte) bool {
	return respFits(x.s.p.lim.htxRoom, &x.s.resp, &x.s.resEdits, x.bufferedBody(), name, value)
}

// bufferedBody is how much of the server's response body HAProxy holds
// beside the head when its rules run: what arrived with the head (or
// wait-for-body waited for), up to the announced length, and never past
// the room its receive leaves for rewrites. A chunked body counts its
// data without the framing, as HAProxy's buffer holds it.
func (x *exchange) bufferedBody() int {
	resp := &x.s.resp
	n := x.send - x.sstart - resp.HeadLen
	switch resp.Body(x.s.sentMethodIs("HEAD")) {
	case http1.BodyLength:
		n = int(min(int64(n), resp.ContentLength))
	case http1.BodyUntilClose:
	case http1.BodyChunked:
		// HAProxy's buffer holds the chunks' data without their framing,
		// in one block, and the end of the trailers once received.
		size, done := x.bufferedChunks()
		n = int(size)
		if done {
			n += htxBlock // the end of the trailers takes its own block
		}
	default:
		return 0
	}
	head := int(htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers)) +
		(htxHeadBlocks(resp.Headers)+1)*htxBlock
	return max(0, min(n, x.s.p.lim.headRoom()-head))
}

// failResponseRewrite answers instead of the server's response whose
// http-response or http-after-response rewrite failed in strict mode, as
// HAProxy's return_int_err path (http_process_res_common): the 500 page
// (a backend's errorfile first) through the http-after-response rules,
// logged PH with no response time; the client keeps its connection as
// for the server's response. It returns whether the connection goes on.
func (x *exchange) failResponseRewrite() bool {
	s := x.s
	const status = 500
	x.serverClose = true // its body is left unread
	closeConn := x.clientClose || s.errorPageCloses(status, x.be)
	page := s.errorPage(status, x.be)
	x.status, x.term = status, term('P', 'H')
	s.fe.stats.countStatus(status)
	x.be.stats.countStatus(status)
	x.clientClose = closeConn
	s.tl.respHead = time.Time{} // Tr -1
	s.after.be = x.be           // its http-after-response rules first
	err := s.clientWriteMessage(s.withConnection(page, closeConn, s.req.Minor))
	x.status = s.afterStatus(status)
	return err == nil && !closeConn
}

// bufferedChunks is the HTX size of the chunked body bytes that came
// with the server's response head (data without framing, and the end of
// the trailers once received: done).
func (x *exchange) bufferedChunks() (size int64, done bool) {
	start := x.sstart + x.s.resp.HeadLen
	if start > x.send {
		return 0, false
	}
	var d http1.Dechunker
	d.Check(x.sbuf[start:x.send])
	return d.HTXSize(), d.Done()
}
