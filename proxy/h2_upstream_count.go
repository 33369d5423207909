package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// A response from an HTTP/2 server without content-length reaches the
// exchange chunked: h2Upstream adds "transfer-encoding: chunked" as its
// last field and frames the DATA as chunks. HAProxy 2.6 has neither in
// the response's HTX (its H2 mux adds no field, and an HTX message from
// HTTP/2 frames has an end-of-trailers block only when trailers came);
// its HTTP/1 output adds transfer-encoding after its own connection
// header. So the field leaves the parsed head at once (stripH2TE): the
// http-response rules, captures, the log's res.* fetches and the HTX
// size counted do not see it (measured on 2.6.12: res.hdr_cnt(
// transfer-encoding) 0, TestH2ServerResponseTEMatchesHAProxy; a 403 with
// one field of 22 bytes and 10 bytes of body logs %B 64,
// TestH2ServerBytesMatchHAProxy), and the chunked framing stays
// (resp.Chunked, x.h2TE) for the body and the client's head.

// stripH2TE drops the transfer-encoding field h2Upstream added to the
// response head just parsed, noting it in x.h2TE.
func (x *exchange) stripH2TE() {
	x.h2TE = false
	if x.sc == nil {
		return
	}
	added := false
	switch u := x.sc.h2.(type) {
	case *h2Upstream:
		added = u.teAdded
	case *fcgiUpstream:
		added = u.teAdded // fcgi_upstream.go: the same for a FastCGI one
	}
	hs := x.s.resp.Headers
	if !added || x.s.resp.Status < 200 || len(hs) == 0 || !http1.EqualFold(hs[len(hs)-1].Name, "transfer-encoding") {
		return
	}
	x.s.resp.Headers = hs[:len(hs)-1]
	x.h2TE = true
}

// h2AddedTE reports that the response head being forwarded came from an
// HTTP/2 server without content-length, chunked by h2Upstream.
func (x *exchange) h2AddedTE() bool { return x.h2TE }

// responseDechunker is the Dechunker that re-frames the response body
// for the client; one of an HTTP/2 server's counts an end-of-trailers
// block only when trailers came, as HAProxy's HTX from HTTP/2 frames.
func (x *exchange) responseDechunker() http1.Dechunker {
	return http1.Dechunker{Case: x.s.clientCase(), EOTOnlyWithTrailers: x.h2AddedTE()}
}

// lastChunk is an empty chunked body: the last chunk, no trailers.
var lastChunk = []byte("0\r\n\r\n")

// noteH2Framing tells an HTTP/2 client's bridge, before the head goes,
// whether the response is an HTTP/2 server's that h2Upstream chunked:
// HAProxy sends END_STREAM on the HEADERS of one whose HEADERS ended the
// server's stream (h2Upstream gives its last chunk with the head).
func (x *exchange) noteH2Framing() {
	if b, ok := x.s.c.h2.(*streamBridge); ok {
		b.emptyEnds = x.h2AddedTE() && bytes.Equal(x.sbuf[x.sstart:x.send], lastChunk)
	}
}

// HAProxy 2.6's H2 mux builds an HTTP/2 client's request into HTX as
// src/h2.c does: the start line has the method, the absolute form
// scheme://authority/path when :authority came (the path left out when
// it is "*"; the path alone otherwise) and "HTTP/2.0"; the fields in
// order, the cookie crumbs joined, a host field from :authority when
// none came; no transfer-encoding for a body without content-length,
// and an end-of-trailers block only after trailers. %U counts that.

// h2RequestHTXSize is the HTX size of an HTTP/2 request's head.
func h2RequestHTXSize(r *h2.Request) int64 {
	uri := len(r.Path)
	if r.Authority != "" {
		uri = len(r.Scheme) + len("://") + len(r.Authority)
		if r.Path != "*" {
			uri += len(r.Path)
		}
	}
	n := int64(htxStartLine + len(r.Method) + uri + len("HTTP/2.0") + htxEndOfHead)
	host := false
	for _, f := range r.Fields {
		n += int64(len(f.Name) + len(f.Value))
		host = host || f.Name == "host"
	}
	if r.Authority != "" && !host {
		n += int64(len("host") + len(r.Authority))
	}
	return n
}

// countH2Request sets the request head's HTX size for an HTTP/2
// client's request (not a CONNECT's, counted from its HTTP/1.1 form);
// it reports whether it did.
func (s *session) countH2Request() bool {
	if s.stream == nil || s.stream.Req.Tunnel() {
		return false
	}
	s.inHead = h2RequestHTXSize(&s.stream.Req)
	return true
}
