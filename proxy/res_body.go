package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// The response body in the http-response rules: `http-response
// wait-for-body time <t> [at-least <n>]` reads more of the body into the
// server-side buffer before the rules go on, and the res.body,
// res.body_len and res.body_size fetches read what is buffered. Nothing
// is consumed: forwardResponse sends the buffered body as it sends any
// body that came with the head.
//
// HAProxy 2.6 (measured beside it): it stops waiting once the whole body
// is there, once at-least bytes of it are, or once the buffer is full;
// when the time runs out first it answers 504 and closes.

// noteResBody tells the fetches what is buffered of the response body.
func (x *exchange) noteResBody() {
	s, resp := x.s, &x.s.resp
	s.info.resBody, s.info.resPlainDone = nil, false
	if resp.Body(s.sentMethodIs("HEAD")) == http1.BodyNone {
		s.info.resBody = x.sbuf[:0] // an empty body, buffered whole
		return
	}
	body := x.sbuf[x.sstart+resp.HeadLen : x.send]
	if !resp.Chunked && resp.ContentLength >= 0 {
		body = body[:min(int64(len(body)), resp.ContentLength)]
	}
	s.info.resBody = body
}

// waitResponseBody is the wait-for-body rule on a response: false when
// the time ran out (the caller answers 504) or the server failed.
func (x *exchange) waitResponseBody(wait time.Duration, atLeast int64) bool {
	s, resp := x.s, &x.s.resp
	defer x.noteResBody()
	kind := resp.Body(s.sentMethodIs("HEAD"))
	if kind == http1.BodyNone {
		return true
	}
	deadline := deadlineFrom(time.Now(), wait)
	for {
		rest := x.sbuf[x.sstart+resp.HeadLen : x.send]
		var data int64
		whole := false
		switch kind {
		case http1.BodyLength:
			data = min(int64(len(rest)), resp.ContentLength)
			whole = data == resp.ContentLength
		case http1.BodyChunked:
			var cs http1.Dechunker
			out, _, err := cs.Reframe(nil, rest)
			if err != nil {
				return true // refused when forwarded
			}
			data, whole = int64(len(dechunk(nil, out))), cs.Done()
		default:
			data = int64(len(rest))
		}
		if whole || x.send >= len(x.sbuf) || (atLeast > 0 && data >= atLeast) {
			return true
		}
		n, err := x.sc.readUntil(x.sbuf[x.send:], time.Time{}, deadline)
		x.send += n
		if err != nil && n == 0 {
			if kind == http1.BodyUntilClose && !isTimeout(err) {
				return true // the body ended with the connection
			}
			return false
		}
	}
}

// ResBody is res.body: what is buffered of the response body, without
// its chunk framing; no value outside the http-response rules.
func (r *RequestInfo) ResBody() ([]byte, bool) {
	if r.resp == nil || r.resBody == nil {
		return nil, false
	}
	if !r.resp.Chunked {
		return r.resBody, true
	}
	if !r.resPlainDone {
		var cs http1.Dechunker
		out, _, _ := cs.Reframe(nil, r.resBody)
		r.resPlain, r.resPlainDone = dechunk(r.resPlain[:0], out), true
	}
	return r.resPlain, true
}

// ResBodySize is res.body_size: the announced length, or what is
// buffered of a chunked or close-delimited body.
func (r *RequestInfo) ResBodySize() (int64, bool) {
	if r.resp != nil && !r.resp.Chunked && r.resp.ContentLength >= 0 && r.resBody != nil {
		return r.resp.ContentLength, true
	}
	b, ok := r.ResBody()
	return int64(len(b)), ok
}
