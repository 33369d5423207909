package proxy

import (
	"net/netip"
	"sync/atomic"
	"time"
)

// reqCounter numbers the streams of the process as HAProxy's %rt does:
// one per accepted connection, and one per later request on a kept-alive
// connection (HAProxy 2.6 makes a stream for each).
var reqCounter atomic.Int64

// UniqueID is the transaction's unique-id (`unique-id-format`), made at
// its first use ("" without a format). HAProxy makes it when a fetch
// first needs it, else once the http-request rules accepted the request,
// else when the transaction is logged.
func (r *RequestInfo) UniqueID() string {
	if !r.uniqueIDDone && r.makeUniqueID != nil {
		r.uniqueID, r.uniqueIDDone = r.makeUniqueID(), true
	}
	return r.uniqueID
}

// newUniqueID builds the unique-id of the transaction in progress with the
// frontend's format.
func (s *session) newUniqueID() string {
	f := s.fe.cfg.UniqueID
	if f == nil {
		return ""
	}
	e := LogEntry{Client: s.src, Accept: s.accepted, Start: s.tl.start, Frontend: s.fe.cfg.Name,
		FrontAddr: s.dst, ReqCounter: s.reqID, Method: s.req.Method, Target: s.req.Target,
		Minor: s.req.Minor, Version: s.req.Version, URILen: s.p.cfg.LogURILen, Idle: since(s.tl.start, s.tl.firstByte), SSLBind: s.info.SSLFront,
		TR: since(s.tl.firstByte, s.tl.head), Tw: -1, Tc: -1, Tr: -1, Ta: since(s.tl.firstByte, time.Now())}
	return f(&s.info, &e)
}

// uniqueIDAtLog makes a unique-id not made yet when the transaction is
// logged, as HAProxy does then: its request is gone, so the request's
// fetches give nothing.
func (s *session) uniqueIDAtLog() string {
	if s.info.uniqueIDDone || s.fe.cfg.UniqueID == nil {
		return s.info.uniqueID
	}
	saved := s.info
	s.info.req, s.info.Method, s.info.Target, s.info.edited = nil, nil, nil, false
	id := s.info.UniqueID()
	saved.uniqueID, saved.uniqueIDDone = id, true
	s.info = saved
	return id
}

// uniqueIDHeader makes the unique-id once the http-request rules accepted
// the request, as HAProxy does, and adds unique-id-header after the
// fields the rules left.
func (s *session) uniqueIDHeader() {
	if s.fe.cfg.UniqueID == nil {
		return
	}
	id := s.info.UniqueID()
	if h := s.fe.cfg.UniqueIDHeader; h != "" {
		s.info.hdrs = s.editable()
		s.edits.add(h, s.edits.keep(id))
		s.info.hdrs = s.edits.list
	}
}

// beginConnInfo sets what the fetches read of a new connection: its
// addresses, listener and frontend, and its first stream's number.
func (s *session) beginConnInfo() {
	s.info.Src, s.info.Dst, s.info.ListenerID, s.info.Listener = s.src, s.dst, s.bind.id, s.bind.listener
	s.info.Frontend = ProxyRef{s.fe.cfg.Name, s.fe.cfg.ID}
	s.info.Backend = s.info.Frontend
	s.info.px = s.p
	s.info.logLevel = &s.tl.logLevel // actions_log.go LogLevelExec
	s.info.PP = s.pp
	if s.parent != nil {
		s.info.PP = s.parent.pp // an HTTP/2 stream: its connection's header
	}
	if s.stream == nil {
		s.info.cliTCP = s.c.TCPConn
	}
	s.reqID = reqCounter.Add(1) - 1
	if s.fe.cfg.UniqueID != nil {
		s.info.makeUniqueID = s.newUniqueID
	}
}

// beginTransactionInfo starts a transaction's request facts: no backend
// but the frontend yet, its place on the connection and stream number, no
// unique-id, the header captures, and its size as HAProxy counts it.
func (s *session) beginTransactionInfo() {
	fe, req := s.fe, &s.req
	s.info.Backend = s.info.Frontend
	s.info.RequestNum++
	s.info.PrioClass, s.info.PrioOffset = 0, 0 // a new stream
	s.info.beginStream()
	if s.info.RequestNum > 1 {
		s.reqID = reqCounter.Add(1) - 1 // a new stream for each later request
	}
	s.info.uniqueID, s.info.uniqueIDDone = "", false
	s.info.server, s.info.srvConn, s.info.srvErr, s.info.lastRule = nil, nil, 0, nil
	s.info.srvTried, s.info.srvTriedFrom = netip.AddrPort{}, netip.AddrPort{}
	s.info.cache.reset()
	s.info.reqCaps.reset(fe.cfg.ReqCaptures)
	s.info.resCaps.reset(fe.cfg.ResCaptures)
	captureHeaders(&s.info.reqCaps, fe.cfg.ReqCaptures, req.Headers)
	if req.AcceptInvalid && req.LaxErrPos >= 0 && s.stream == nil {
		s.captureAcceptedRequest() // errsnap.go (HTTP/1 only, as HAProxy's H1 mux)
	}
	if !s.countH2Request() { // h2_upstream_count.go
		s.inHead = htxHeadSize(req.Method, req.Target, req.Version, req.Headers) + int64(req.ConnectCL)
	}
	if req.ContentLength > 0 && !req.Chunked {
		s.inBody = min(req.ContentLength, s.bodyHeld(s.end-req.HeadLen))
	}
}
