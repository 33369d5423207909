package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// `option http-buffer-request` and `http-request wait-for-body`: the
// request body is read into the session's buffer, behind the head,
// before the rules go on, so the req.body* fetches see it. Nothing of it
// is consumed: the exchange sends the buffered body as it sends any body
// that came with the head, so the server receives the same bytes.
//
// HAProxy 2.6 (http_wait_for_msg_body, measured beside it): it stops
// waiting once the whole body is there, once at-least bytes of it are, or
// once the buffer is full, and goes on; when the time runs out first, it
// answers 408 and closes.

// waitBody reads the request body for at most wait (0: no limit) until it
// is whole, atLeast bytes of data are buffered (0: no such limit) or the
// buffer is full. It returns false when it answered (408) or the client
// went away: the connection ends.
func (s *session) waitBody(wait time.Duration, atLeast int64) bool {
	return s.waitBodyOf(nil, wait, atLeast)
}

// waitBodyOf is waitBody for a wait of be (nil: the frontend's): its
// option http-buffer-request or wait-for-body rule. Measured on HAProxy
// 2.6.12, the timeout logs cR with no request time (TR -1) and counts a
// failed request (ereq) on the frontend; a backend's names the backend in
// the log and counts the 408 in its response classes too.
func (s *session) waitBodyOf(be *backend, wait time.Duration, atLeast int64) bool {
	req := &s.req
	defer s.noteBody()
	// An HTTP/2 stream reads as HTTP/1 through its bridge (h2_bridge.go):
	// the same reads wait for its body.
	if !req.Chunked && req.ContentLength <= 0 {
		return true
	}
	s.bodyWaited = true
	deadline := deadlineFrom(time.Now(), wait)
	for {
		data, whole, bad := bufferedBody(req, s.buf[req.HeadLen:s.end])
		if bad || whole || s.end >= len(s.buf) || (atLeast > 0 && data >= atLeast) {
			return true // a bad chunk is refused by the transaction
		}
		if req.ExpectContinue && req.Minor == 1 {
			s.continueNow()
		}
		n, err := s.clientRead(s.buf[s.end:], time.Time{}, deadline)
		s.end += n
		if err != nil && n == 0 {
			s.failedRequest()
			if isTimeout(err) {
				// HAProxy's http_reply_and_close: the page through
				// its HTX layer, then connection: close.
				s.fe.stats.countStatus(408)
				s.fe.stats.reqErrors.Add(1)
				s.tl.aborted = true
				if be != nil {
					be.stats.countStatus(408)
				}
				s.out = s.appendServiceError(s.out[:0], 408)
				s.clientWriteMessage(s.out)
				s.emitLog(be, nil, 408, term('c', 'R'))
				s.drainAndShut()
			} else {
				s.emitLog(nil, nil, 0, term('C', 'D'))
			}
			return false
		}
	}
}

// backendBodyWait is the chosen backend's `option http-buffer-request`
// (its timeout http-request); a frontend that waited already left nothing
// to wait for. False: answered, the connection ends; its timeout is
// logged and counted as a backend's wait-for-body rule's (waitBodyOf).
func (s *session) backendBodyWait(be *backend) bool {
	if !be.cfg.BufferRequest || s.fe.cfg.BufferRequest {
		return true
	}
	t := &be.cfg.Timeouts
	return s.waitBodyOf(be, firstSet(t.HTTPRequest, t.Client), 0)
}

// continueNow answers "Expect: 100-continue" itself and takes the
// header out of the request, as HAProxy's http_handle_expect_hdr does
// when it must wait for a body (measured: the server gets no Expect).
func (s *session) continueNow() {
	s.clientWrite([]byte("HTTP/1.1 100 Continue\r\n\r\n"))
	s.editable()
	s.edits.del("expect")
	s.info.hdrs = s.edits.list
	s.req.ExpectContinue = false
}

// noteBody tells the fetches what is buffered of the body now.
func (s *session) noteBody() {
	req := &s.req
	s.info.body, s.info.plain, s.info.plainDone = nil, s.info.plain[:0], false
	if s.end < req.HeadLen {
		return
	}
	if req.Chunked || req.ContentLength > 0 {
		end := s.end
		if !req.Chunked {
			end = int(min(int64(end), int64(req.HeadLen)+req.ContentLength))
		}
		s.info.body = s.buf[req.HeadLen:end]
	}
	if req.ContentLength > 0 && !req.Chunked {
		s.inBody = s.bodyHeld(len(s.info.body))
	}
}

// bodyHeld is how much of the n body bytes read with a content-length
// request's head HAProxy counts: what its HTX buffer takes after the
// head (blocks included) and a data block's header, tune.maxrewrite kept
// free while the request is analysed; the rest waits in its mux,
// uncounted. Measured on 2.6.12: a 503 after SC with a 40000 or 100000
// byte body counts 15214 of it (a 58-byte HTX head of 4 blocks).
func (s *session) bodyHeld(n int) int64 {
	room := s.p.lim.headRoom() - int(s.inHead) - (htxHeadBlocks(s.req.Headers)+1)*htxBlock
	return int64(max(0, min(n, room)))
}

// bufferedBody measures the body bytes p: how many bytes of data they
// hold, whether the body is whole, whether a chunk is malformed.
func bufferedBody(req *http1.Request, p []byte) (data int64, whole, bad bool) {
	if !req.Chunked {
		n := max(req.ContentLength, 0) // -1: no body
		data = min(int64(len(p)), n)
		return data, data == n, false
	}
	var cs http1.Dechunker
	out, _, err := cs.Reframe(nil, p)
	if err != nil {
		return 0, false, true
	}
	return int64(len(dechunk(nil, out))), cs.Done(), false
}

// dechunk appends the data of a well-formed chunked body (as
// http1.Dechunker re-frames it: hex size, CRLF, data, CRLF) to dst,
// without framing or trailers, as HAProxy's HTX holds it.
func dechunk(dst, b []byte) []byte {
	for len(b) > 0 {
		size, i := 0, 0
		for ; i < len(b); i++ {
			v := hexDigit(b[i])
			if v < 0 {
				break
			}
			size = size<<4 | v
		}
		for i < len(b) && b[i] != '\n' {
			i++ // extensions and CR
		}
		b = b[min(i+1, len(b)):]
		if size == 0 {
			break
		}
		n := min(size, len(b))
		dst = append(dst, b[:n]...)
		b = b[n:]
		if len(b) >= 2 {
			b = b[2:]
		} else {
			b = nil
		}
	}
	return dst
}

func hexDigit(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// Body is the data of the request body buffered so far, without chunk
// framing (req.body, req.body_len, req.body_param); ok is false when the
// request has no body. Without `option http-buffer-request` or a
// wait-for-body rule, that is what came with the head.
func (r *RequestInfo) Body() (data []byte, ok bool) {
	if r.req == nil || (!r.req.Chunked && r.req.ContentLength <= 0) {
		return nil, r.req != nil
	}
	if !r.req.Chunked {
		return r.body, true
	}
	if !r.plainDone {
		var cs http1.Dechunker
		out, _, _ := cs.Reframe(nil, r.body)
		r.plain, r.plainDone = dechunk(r.plain[:0], out), true
	}
	return r.plain, true
}

// BodySize is req.body_size: the announced length of the body, or what
// is buffered of a chunked one.
func (r *RequestInfo) BodySize() (int64, bool) {
	if r.rawRequest() {
		// a head parsed from a tcp stream's bytes has no body in HAProxy
		// (measured: req.body_size 0 beside a Content-Length of 3)
		return 0, true
	}
	if r.req != nil && !r.req.Chunked && r.req.ContentLength >= 0 {
		return r.req.ContentLength, true
	}
	b, ok := r.Body()
	return int64(len(b)), ok
}
