package proxy

import "github.com/goha-lb/goha/proxy/http1"

// How large a request head may be, as HAProxy 2.6 decides it with its
// default buffers: its H1 mux reads at most reqInputLimit bytes of a
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
	headLimit  = bufSize - maxRewrite
	// reqInputLimit is how many bytes of a request HAProxy's H1 mux
	// reads before it refuses a head still unfinished: `show errors`
	// shows 16320 bytes, 64 free.
	reqInputLimit = 16320
)

// headFitsHTX reports whether HAProxy takes the parsed request head req:
// its HTX size, blocks included, is at most an HTX buffer's room less
// tune.maxrewrite (15312 bytes).
func headFitsHTX(req *http1.Request) bool {
	size := int(htxHeadSize(req.Method, req.Target, req.Version, req.Headers)) + htxHeadBlocks(req.Headers)*htxBlock
	return size <= htxRoom-htxMaxRewrite
}

// refuseHTXOverflow answers a whole request head headFitsHTX refused as
// HAProxy does: captured for `show errors`, 400, logged PR.
func (s *session) refuseHTXOverflow() {
	s.captureHTXOverflow()
	s.refusedRequest()
	s.sendParserError(400, nil)
	s.emitSessLog(400, term('P', 'R'))
	s.drainAndShut()
}
