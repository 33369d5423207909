package proxy

import (
	"golang.org/x/net/http2"

	"github.com/goha-lb/goha/proxy/http1"
)

// How large a request head may be, as HAProxy 2.6 decides it with its
// default buffers: its H1 mux reads at most bufLimits.reqInput bytes of a
// request, and a whole head is taken only when its HTX form leaves
// tune.maxrewrite free in an HTX buffer (headFitsHTX). Measured on
// 2.6.12 by bisection on the head's size: one header X-Big of 15237
// bytes is taken and 15238 refused; a target of 15250 bytes taken, 15251
// refused; 40 fields of 368 bytes taken, 369 refused; a head of 15746
// bytes, 4000 of them blanks around a value, taken (testdata/http1,
// "htx" and "blanks" cases). Before, goha took any head of up to 15360
// bytes: 87 bytes more than HAProxy with one field, about 4 more for
// each further field (240 more with 40 fields).
const (
	// bufSize is HAProxy's default tune.bufsize.
	bufSize = 16384
	// maxRewrite is HAProxy's default tune.maxrewrite: a response head
	// is read within bufSize-maxRewrite, the rest is room for added
	// headers.
	maxRewrite = 1024
	// htxOverhead is what HAProxy's HTX buffer takes of tune.bufsize
	// before any block: its 48-byte struct htx.
	htxOverhead = 48
	// reqInputReserve is what HAProxy's H1 mux leaves unread of a
	// request buffer: `show errors` shows 16320 bytes, 64 free.
	reqInputReserve = 64
)

// HeadLimits are the global settings bounding a message head and how
// its parser and log treat it.
type HeadLimits struct {
	// BufSize is tune.bufsize (0: HAProxy's 16384), MaxRewrite
	// tune.maxrewrite (0: HAProxy's 1024; negative: 0) and MaxHeaders
	// tune.http.maxhdr (0: 101).
	BufSize, MaxRewrite, MaxHeaders int
	// AnyMethodPayload is h1-accept-payload-with-any-method: HTTP/1.0
	// GET, HEAD and DELETE requests may carry a payload (http1.Request).
	AnyMethodPayload bool
	// LogURILen is tune.http.logurilen plus one (0: 1024), the size of
	// the request line logs keep (logfmt.Entry.URILen).
	LogURILen int
}

// bufLimits are the limits tune.bufsize, tune.maxrewrite and
// tune.http.maxhdr put on a message head, as HAProxy 2.6 derives them.
type bufLimits struct {
	// bufSize is tune.bufsize, rounded up to 16 bytes as HAProxy's
	// parser rounds it.
	bufSize int
	// maxRewrite is tune.maxrewrite, at most half of bufSize (HAProxy's
	// clamp at start).
	maxRewrite int
	// maxHeaders is tune.http.maxhdr (0: 101).
	maxHeaders int
	// headLimit is how many bytes of a response head are read: the
	// rest of the buffer is room for rewrites.
	headLimit int
	// reqInput is how many bytes of a request HAProxy's H1 mux reads
	// before it refuses a head still unfinished.
	reqInput int
	// htxRoom is an HTX buffer's room (htx_room.go).
	htxRoom int
}

// newBufLimits derives the limits of a Config's BufSize, MaxRewrite and
// MaxHeaders (zero: HAProxy's defaults; a negative MaxRewrite is 0).
func newBufLimits(size, rewrite, maxHdr int) bufLimits {
	if size <= 0 {
		size = bufSize
	}
	size = (size + 15) &^ 15
	switch {
	case rewrite == 0:
		rewrite = maxRewrite
	case rewrite < 0:
		rewrite = 0
	}
	rewrite = min(rewrite, size/2)
	return bufLimits{bufSize: size, maxRewrite: rewrite, maxHeaders: maxHdr,
		headLimit: size - rewrite, reqInput: size - reqInputReserve, htxRoom: size - htxOverhead}
}

// defaultBufLimits are HAProxy's defaults.
var defaultBufLimits = newBufLimits(0, 0, 0)

// headRoom is the most a whole head may take in HTX form: the buffer's
// room less tune.maxrewrite.
func (l *bufLimits) headRoom() int { return l.htxRoom - l.maxRewrite }

// headFitsHTX reports whether HAProxy takes the parsed request head
// s.req: its HTX size, blocks included, is at most an HTX buffer's room
// less tune.maxrewrite (15312 bytes). An HTTP/2 stream's head (made from
// its frames, h2_bridge.go) carries the path alone where HAProxy's start
// line holds scheme://authority/path: one X-Big of 15138 bytes is taken
// over h2c, 15139 refused (measured, :authority 127.0.0.1:port).
func (s *session) headFitsHTX() bool {
	req := &s.req
	size := int(htxHeadSize(req.Method, req.Target, req.Version, req.Headers)) + htxHeadBlocks(req.Headers)*htxBlock
	if s.stream != nil && s.stream.Req.Authority != "" {
		size += len(s.stream.Req.Scheme) + len("://") + len(s.stream.Req.Authority)
	}
	return size <= s.p.lim.headRoom()
}

// refuseHTXOverflow answers a whole request head headFitsHTX refused as
// HAProxy does: captured for `show errors`, counted as a bad request,
// 400, logged PR. An HTTP/2 stream is reset with PROTOCOL_ERROR instead,
// counted nowhere and logged with status 0, as HAProxy's H2 mux refuses
// it before any stream exists (measured, TestH2HeadLimitDifferential).
func (s *session) refuseHTXOverflow() {
	s.captureHTXOverflow()
	if s.stream != nil {
		s.tl.noTxn = true
		s.stream.Reset(http2.ErrCodeProtocol)
		s.emitSessLog(0, term('P', 'R'))
		return
	}
	s.refusedRequest()
	s.sendParserError(400, nil)
	s.emitSessLog(400, term('P', 'R'))
	s.drainAndShut()
}

// respFitsHTX is headFitsHTX for the response head an HTTP/1 server
// sent (x-a of 15228 bytes taken after "HTTP/1.1 200 OK", 15229 refused
// with a 502, as HAProxy 2.6.12 does, measured). An HTTP/2 server's head,
// made from its frames, is not checked.
func (x *exchange) respFitsHTX() bool {
	if x.h2Server() {
		return true
	}
	resp := &x.s.resp
	size := int(htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers)) + htxHeadBlocks(resp.Headers)*htxBlock
	return size <= x.s.p.lim.headRoom()
}

// captureHTXOverflow keeps a response head respFitsHTX refused, at its
// end, in the state its body would start in.
func (x *exchange) captureHTXOverflow() {
	e := &http1.Error{Status: 502, Msg: "head too large", Pos: x.s.resp.HeadLen, State: http1.StateAfterHead}
	x.captureBadResponse(x.sbuf[:x.send], e, nil)
}
