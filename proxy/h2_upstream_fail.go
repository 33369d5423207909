package proxy

import (
	"errors"

	"github.com/goha-lb/goha/proxy/h2"
	"golang.org/x/net/http2"
)

// upstreamFailed reports an HTTP/2 server stream that failed on the
// server's side (a reset, broken frames, its connection lost): the
// response was cut by the server, not the client (SD).
func upstreamFailed(c *tconn) bool {
	u, ok := c.h2.(*h2Upstream)
	return ok && u.failed
}

// prepareUpstream tells an HTTP/2 server stream what the HTTP/1.1 head
// cannot: a request from an HTTP/2 client, its :scheme and :authority
// (its host line may have been made by the stream bridge), which
// HAProxy's HTX keeps in the request's URI (h2_upstream_target.go).
func (x *exchange) prepareUpstream() {
	if u, ok := x.sc.h2.(*fcgiUpstream); ok {
		u.prepare(x.s) // fcgi_upstream.go
		return
	}
	if u, ok := x.sc.h2.(*h2Upstream); ok {
		u.fromH2 = x.s.stream != nil
		if u.fromH2 {
			u.clientScheme, u.clientAu = x.s.stream.Req.Scheme, x.s.stream.Req.Authority
		}
	}
}

// refuseStream: when an HTTP/2 server aborts a stream before its
// response (RST_STREAM, its connection closed or broken), HAProxy 2.6
// refuses the HTTP/2 client's stream (RST_STREAM REFUSED_STREAM, which
// lets it retry) where an HTTP/1.1 client gets a 502 SH, and logs
// nothing. A timeout (504) and a malformed head (502 PH) are answered.
func (x *exchange) refuseStream(err error) bool {
	if x.s.stream == nil || x.sc == nil || x.sc.h2 == nil || isTimeout(err) || errors.Is(err, h2.ErrMalformedHead) {
		return false
	}
	x.s.stream.Reset(http2.ErrCodeRefusedStream)
	x.refused = true
	return true
}

// holdLastInterim: when an HTTP/2 server ended its stream after the
// interim response about to go to an HTTP/2 client, that interim goes
// out in one write with the reset that follows, as HAProxy sends them (a
// client seeing the interim alone takes it as the answer, not retrying).
func (x *exchange) holdLastInterim() {
	u, ok := x.sc.h2.(*h2Upstream)
	if x.s.stream != nil && ok && u.st != nil && u.rs == upHead && len(u.out) == 0 && u.st.HeadsEnded() {
		x.s.stream.HoldNextHeaders()
	}
}

// h2Stale reports an error after which a request on a reused HTTP/2
// connection may be replayed on a fresh one: the server refused the
// stream, or the connection had ended; not a reset or a malformed answer
// (the server may have acted on the request).
func h2Stale(err error) bool {
	return !errors.Is(err, h2.ErrReset) && !errors.Is(err, h2.ErrBadFrame) && !isTimeout(err)
}
