package proxy

import (
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// ErrorCapture is a copy of the last message a proxy refused in one
// direction, with what HAProxy 2.6 keeps beside it for `show errors`
// (its proxy_capture_error): when, which event, who sent it, the other
// end, and where and in which state its H1 parser stopped.
type ErrorCapture struct {
	When  time.Time
	Event uint32 // the process' count of captures before this one
	Src   netip.AddrPort
	// Other is the other end: the backend of a refused request (empty
	// when none was chosen yet), the frontend of a refused response.
	Other    string
	Server   string // the server that sent a refused response
	ServerID int
	// Buf is what the connection's buffer held, at most one buffer
	// (tune.bufsize); Pos is the refused byte's offset in it.
	Buf   []byte
	Pos   int
	State http1.MsgState
	// ConnFlags, StreamFlags and MsgFlags are the H1 connection, stream
	// and message flags HAProxy prints. The first two are the values
	// HAProxy 2.6.12's H1 mux holds on a connection's first message
	// (measured); MsgFlags are the parser's (http1.Describe).
	ConnFlags, StreamFlags, MsgFlags uint32
	// ChunkLen and BodyLen are the parser's current and whole body
	// lengths: the Content-Length once a head is read, the chunk sizes
	// read so far in a chunked body.
	ChunkLen, BodyLen int64
	// BufHead is how far into HAProxy's input buffer the message starts
	// (pipelined requests before it), which moves where it wraps.
	BufHead int
	// BufSize is tune.bufsize, the size of the buffer Buf was in.
	BufSize int
}

// The H1 connection and stream flags HAProxy 2.6.12 showed for a refused
// first request (client side) and response (server side).
const (
	reqConnFlags    = 0x00000100
	reqStreamFlags  = 0x00000810
	respConnFlags   = 0x80002200
	respStreamFlags = 0x00004810
	// h1sNotFirst marks a stream that is not its connection's first: a
	// kept-alive client's later request, a reused server connection's
	// response.
	h1sNotFirst = 0x00000080
	h1cInFull   = 0x00000020
	// h1sParsingError is set on a stream whose message was refused.
	h1sParsingError = 0x00000800
)

// ProxyErrors are the captures of one proxy section, by name.
type ProxyErrors struct {
	Request, Response *ErrorCapture
}

// ErrorCaptures are the sections' last refused messages, by section name,
// and the number of messages captured since the start.
func (p *Proxy) ErrorCaptures() (map[string]ProxyErrors, uint32) {
	out := map[string]ProxyErrors{}
	for _, fe := range p.frontends {
		if c := fe.badReq.Load(); c != nil {
			out[fe.cfg.Name] = ProxyErrors{Request: c}
		}
	}
	for _, be := range p.backendList {
		if c := be.badResp.Load(); c != nil {
			e := out[be.cfg.Name]
			e.Response = c
			out[be.cfg.Name] = e
		}
	}
	return out, p.errEvents.Load()
}

// capture copies what a refused message's buffer holds (one buffer at
// most) with the parser's view of it. It runs once per refused message,
// never for a valid one.
// cs is the dechunker of a body refused in its chunks (nil: a head).
func (p *Proxy) capture(buf []byte, e *http1.Error, isResp bool, cs *http1.Dechunker) *ErrorCapture {
	buf = buf[:min(len(buf), p.lim.bufSize)]
	st, flags, clen := http1.Describe(buf, e, isResp, cs != nil)
	body := clen
	if cs != nil {
		body = cs.HTXSize() // the chunks' sizes read so far
	}
	c := &ErrorCapture{
		When:     time.Now(),
		Event:    p.errEvents.Add(1) - 1,
		Buf:      append([]byte(nil), buf...),
		BufSize:  p.lim.bufSize,
		Pos:      e.Pos,
		State:    st,
		MsgFlags: flags,
		ChunkLen: clen,
		BodyLen:  body,
		ServerID: -1,
	}
	if c.Pos < 0 {
		c.Pos = len(buf) // HAProxy's last parsing point
	}
	c.ConnFlags, c.StreamFlags = reqConnFlags, reqStreamFlags
	if isResp {
		c.ConnFlags, c.StreamFlags = respConnFlags, respStreamFlags
	}
	return c
}

// keepPipelined moves what follows the last request (pipelined bytes) to
// the start of the buffer. HAProxy's input buffer keeps them where they
// were, which `show errors` shows as an earlier wrap; bufHead counts the
// bytes before them until the buffer empties.
func (s *session) keepPipelined() {
	switch {
	case s.end <= s.start:
		s.bufHead = 0
	case s.start > 0:
		s.bufHead += s.start
	}
	if s.start > 0 {
		s.end = copy(s.buf, s.buf[s.start:s.end])
		s.start = 0
	}
}

// captureBadRequest keeps the request the frontend's parser refused in
// buf (cs: in its chunked body). be is the backend the request was for:
// nil when the refusal came with the head's bytes, before HAProxy's
// stream exists (a listen section's included, as measured).
func (s *session) captureBadRequest(buf []byte, e *http1.Error, cs *http1.Dechunker, be *backend) {
	if s.stream == nil { // an HTTP/2 stream's head was made from frames: no H1 snapshot
		s.fe.badReq.Store(s.requestCapture(buf, e, cs, be))
	}
}

func (s *session) requestCapture(buf []byte, e *http1.Error, cs *http1.Dechunker, be *backend) *ErrorCapture {
	c := s.p.capture(buf, e, false, cs)
	c.Src, c.BufHead = s.src, s.bufHead
	if s.notFirst {
		c.StreamFlags |= h1sNotFirst
	}
	if be != nil {
		c.Other = be.cfg.Name
	}
	return c
}

// captureAcceptedRequest keeps a request accept-invalid-http-request let
// through with a byte HAProxy records as an error (Request.LaxErrPos):
// HAProxy captures it as it forwards it.
func (s *session) captureAcceptedRequest() {
	c := s.requestCapture(s.buf[:s.end], http1.Accepted(s.req.LaxErrPos), nil, nil)
	c.StreamFlags &^= h1sParsingError
	s.fe.badReq.Store(c)
}

// captureOversizedRequest keeps a request head that does not fit in the
// buffer (bufLimits.reqInput), refused at its end as HAProxy refuses it (with
// its input-full connection flag).
func (s *session) captureOversizedRequest() {
	if s.stream != nil {
		return
	}
	buf := s.buf[:s.end]
	c := s.requestCapture(buf, http1.Unfinished(buf, false), nil, nil)
	c.ConnFlags |= h1cInFull
	s.fe.badReq.Store(c)
}

// captureAcceptedResponse keeps a response accept-invalid-http-response
// let through with a header name HAProxy records as an error.
func (x *exchange) captureAcceptedResponse() {
	if x.h2Server() {
		return
	}
	c := x.responseCapture(x.sbuf[:x.send], http1.Accepted(x.s.resp.LaxErrPos), nil)
	c.StreamFlags &^= h1sParsingError
	x.be.badResp.Store(c)
}

// captureBadResponse keeps the response the server sent that was refused.
func (x *exchange) captureBadResponse(buf []byte, e *http1.Error, cs *http1.Dechunker) {
	if !x.h2Server() {
		x.be.badResp.Store(x.responseCapture(buf, e, cs))
	}
}

// h2Server reports a response from an HTTP/2 server: its head was made
// from frames, and HAProxy's H2 mux keeps no H1 snapshot of it.
func (x *exchange) h2Server() bool { return x.sc != nil && x.sc.h2 != nil }

func (x *exchange) responseCapture(buf []byte, e *http1.Error, cs *http1.Dechunker) *ErrorCapture {
	c := x.s.p.capture(buf, e, true, cs)
	c.Src, c.Other = x.s.src, x.s.fe.cfg.Name
	if x.reused {
		c.StreamFlags |= h1sNotFirst
	}
	if x.srv != nil {
		c.Server, c.ServerID = x.srv.cfg.Name, x.srv.id
	}
	return c
}

// captureBadChunk keeps a request whose chunked body cs refused at
// offset pos of buf.
func (s *session) captureBadChunk(buf []byte, err error, pos int, cs *http1.Dechunker, be *backend) {
	if e, ok := chunkError(err, pos, cs); ok {
		s.captureBadRequest(buf, e, cs, be)
	}
}

// captureBadChunk keeps a response whose chunked body cs refused at
// offset pos of buf.
func (x *exchange) captureBadChunk(buf []byte, err error, pos int, cs *http1.Dechunker) {
	if e, ok := chunkError(err, pos, cs); ok {
		x.captureBadResponse(buf, e, cs)
	}
}

// chunkError is a chunked body's refusal at offset pos of buf, in the
// state the dechunker stopped in.
func chunkError(err error, pos int, cs *http1.Dechunker) (*http1.Error, bool) {
	e, ok := err.(*http1.Error)
	if !ok {
		return nil, false
	}
	e.Pos, e.State = pos, cs.State()
	return e, true
}

// captureHTXOverflow keeps a whole request head too large for HAProxy's
// HTX buffer (headFitsHTX): HAProxy refuses it once parsed, at the head's
// end, in the state the body would start in.
func (s *session) captureHTXOverflow() {
	if s.stream != nil {
		return
	}
	e := &http1.Error{Status: 400, Msg: "head too large", Pos: s.req.HeadLen, State: http1.StateAfterHead}
	s.fe.badReq.Store(s.requestCapture(s.buf[:s.end], e, nil, nil))
}
