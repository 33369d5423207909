package proxy

import (
	"net/netip"

	"github.com/goha-lb/goha/proxy/http1"
)

// NewRequestInfo is what conditions see of a parsed request; the proxy
// fills its own per session, tests and tools build one with this.
func NewRequestInfo(src netip.AddrPort, req *http1.Request) *RequestInfo {
	return &RequestInfo{Src: src, Method: req.Method, Target: req.Target, req: req}
}

// Headers returns every header field of the request in the order the
// server will receive them (after duplicate Host and Content-Length
// merging) and as the http-request rules run so far left them: header
// fetches must see every occurrence the server sees.
func (r *RequestInfo) Headers() []http1.Header {
	if r.edited {
		return r.hdrs
	}
	if r.req == nil {
		return nil
	}
	return r.req.Headers
}

// RequestLine is the request line as received, before any rule rewrote
// it (capture.req.method, capture.req.uri, capture.req.ver).
func (r *RequestInfo) RequestLine() (method, target, version []byte) {
	if r.req == nil {
		return nil, nil, nil
	}
	return r.req.Method, r.req.Target, r.req.Version
}

// SetResponse makes resp the response the res.* fetches read (tests and
// tools; the proxy sets it for its http-response rules).
func (r *RequestInfo) SetResponse(resp *http1.Response) { r.resp = resp }

// ResponseHeaders returns the header fields of the response the
// http-response rules run on, as the server sent them (nil outside those
// rules).
func (r *RequestInfo) ResponseHeaders() []http1.Header {
	if r.resp == nil {
		return nil
	}
	return r.resp.Headers
}

// Status is the status code of the response the http-response rules run
// on (0 outside those rules).
func (r *RequestInfo) Status() int {
	if r.resp == nil {
		return 0
	}
	return r.resp.Status
}

// ResponseVersion is that response's HTTP version as received (nil
// outside those rules).
func (r *RequestInfo) ResponseVersion() []byte {
	if r.resp == nil {
		return nil
	}
	return r.resp.Version
}

// Authority is the authority of an absolute-form target (nil for other
// forms): the host the server reads when the request has no Host header.
func (r *RequestInfo) Authority() []byte {
	if r.req == nil {
		return nil
	}
	return r.req.Authority
}

// Version is the request's HTTP version as received ("HTTP/1.1"; nil
// without a parsed request).
func (r *RequestInfo) Version() []byte {
	if r.req == nil {
		return nil
	}
	return r.req.Version
}

// Header returns the value of the first header named name (case-insensitive
// ASCII; pass it in lower case), or nil.
func (r *RequestInfo) Header(name string) []byte {
	for _, h := range r.Headers() {
		if http1.EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return nil
}

// evalScratch is where the sample engine (package acl) keeps its
// evaluation frames for a request's connection: an evaluation then takes
// nothing from a pool. The engine sets it on first use; the proxy hands
// it back (releaseEval) when the connection or stream ends.
type evalScratch struct{ state any }

// evalRelease takes back a connection's evaluation frames (set by the
// engine, SetEvalRelease).
var evalRelease func(any)

// SetEvalRelease is how the sample engine takes back the frames it kept
// on a request (EvalState) once the proxy is done with it.
func SetEvalRelease(f func(any)) { evalRelease = f }

// EvalState is the sample engine's slot on r: nil until it first
// evaluates on r, then the engine's own.
func (r *RequestInfo) EvalState() *any { return &r.eval.state }

// releaseEval hands r's evaluation frames back to the engine.
func (r *RequestInfo) releaseEval() {
	if r.eval.state != nil && evalRelease != nil {
		evalRelease(r.eval.state)
	}
	r.eval.state = nil
}
