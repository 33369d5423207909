package proxy

import (
	"errors"

	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/http1"
)

// On a tcp stream HAProxy 2.6 gives its HTTP request fetches (path, hdr,
// method, req.ver, url_param, req.cook, http_auth, ...) a value by
// parsing the bytes buffered so far as an HTTP/1 request head, each time
// a fetch asks (smp_prefetch_htx's tcp branch): a complete head gives
// the values, a head cut short gives none and "may change" (a content
// rule waits for more bytes while the inspect delay runs), bytes its
// parser refuses give none at once. The bytes are forwarded as they
// are, but for the obs-fold line breaks its parser blanks in place (as
// HAProxy's, measured: "X: a\r\n b" reaches the server as "X: a   b").
// Measured on 2.6.12: an HTTP/0.9 GET is read as HTTP/1.0, the HTTP/2
// preface as a PRI request of version 2.0, an HTTP/1.0 GET announcing a
// body and a WebSocket upgrade without its key are no error there (no H1
// mux checks them), capture.req.* has no value (no HTTP analyzer
// captured the request line).

// rawHead is a tcp stream's request head parsed from its bytes.
type rawHead struct {
	req   http1.Request
	n     int // len(Payload) when parsed
	state rawState
	// parsed is the backing of the fields Parse reads, all the list the
	// fetches see: HAProxy's parse of a tcp stream's bytes keeps the
	// :method and :path pseudo-headers in front of the fields (measured:
	// req.hdr_names is ":method,:path,host" for a request with a Host,
	// req.hdr(:path) its target, req.hdr_cnt two more than its fields).
	parsed, all []http1.Header
}

var (
	pseudoMethod = []byte(":method")
	pseudoPath   = []byte(":path")
)

type rawState uint8

const (
	rawUnparsed rawState = iota
	rawOK
	rawShort // the head is not complete yet
	rawBad   // HAProxy's parser refuses it
)

// beginRawHTTP makes the HTTP fetches of r's stream read its buffered
// bytes (a tcp stream).
func (r *RequestInfo) beginRawHTTP() { r.rawOn, r.raw = true, nil }

// endRawHTTP ends it (the stream became an HTTP one).
func (r *RequestInfo) endRawHTTP() {
	if r.rawOn && r.raw != nil && r.req == &r.raw.req {
		r.req, r.Method, r.Target = nil, nil, nil
	}
	r.rawOn, r.raw = false, nil
}

// TCPStream says whether r is a tcp stream's (not upgraded to HTTP): its
// one transaction is its connection's first (http_first_req).
func (r *RequestInfo) TCPStream() bool { return r.rawOn }

// PrefetchHTTP readies the request head an HTTP request fetch reads and
// says whether there is one. On an HTTP stream it is the parsed request
// (true). On a tcp stream it is the head parsed from the bytes buffered
// so far; false when there is none yet (the content rules then wait,
// PayloadShort) or none at all.
func (r *RequestInfo) PrefetchHTTP() bool { return !r.rawOn || r.prefetchRaw() }

// prefetchRaw is PrefetchHTTP on a tcp stream.
func (r *RequestInfo) prefetchRaw() bool {
	if r.raw == nil {
		r.raw = &rawHead{}
		r.raw.req.AnyMethodPayload, r.raw.req.Prefetch = true, true
	}
	if h := r.raw; h.state == rawUnparsed || h.n != len(r.Payload) {
		h.req.Headers = h.parsed[:0]
		h.state, h.n = parseRaw(&h.req, r.Payload), len(r.Payload)
		h.parsed = h.req.Headers
		if h.state == rawOK {
			h.all = append(h.all[:0], http1.Header{Name: pseudoMethod, Value: h.req.Method}, http1.Header{Name: pseudoPath, Value: h.req.Target})
			h.all = append(h.all, h.parsed...)
			h.req.Headers = h.all
			r.req, r.Method, r.Target = &h.req, h.req.Method, h.req.Target
		} else {
			r.req, r.Method, r.Target = nil, nil, nil
		}
	}
	switch r.raw.state {
	case rawOK:
		return r.req == &r.raw.req // (uniqueIDAtLog takes the request away)
	case rawShort:
		r.PayloadShort()
	}
	return false
}

// parseRaw parses buf as HAProxy's tcp-stream prefetch does.
func parseRaw(req *http1.Request, buf []byte) rawState {
	err := req.Parse(buf)
	var e *http1.Error
	switch {
	case err == nil:
		return rawOK
	case err == http1.ErrIncomplete:
		return rawShort
	case errors.As(err, &e) && e.Preface:
		// HAProxy's H1 parser takes "PRI * HTTP/2.0": only its HTTP
		// analyzer, which a tcp stream has not, refuses it
		return rawOK
	}
	return rawBad
}

// rawRequest says whether r's request head is one parsed from a tcp
// stream's bytes (no HTTP analyzer saw it: capture.req.* has no value).
func (r *RequestInfo) rawRequest() bool { return r.raw != nil && r.req == &r.raw.req }

// rawBalanceHead gives `balance hash <expr>` of a tcp backend the request
// head parsed from the stream's bytes (its path, url, url_param or header
// fetch), as HAProxy's hash reads the sample from them.
func (s *session) rawBalanceHead(be *backend) {
	if b := &be.cfg.Balance; b.Algorithm != "hash" || b.Hash.Fetch == balance.FetchSrc || !s.info.PrefetchHTTP() {
		return
	}
	s.breq.URI = string(s.info.Target)
	s.breq.Header, s.breq.LastHeader = s.balanceHeader, s.balanceLastHeader
}
