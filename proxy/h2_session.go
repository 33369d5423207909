package proxy

import (
	"errors"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// HTTP/2 on the client side (bind ... proto h2, or ALPN h2 over TLS):
// the connection's session runs the frame engine (proxy/h2), and each
// stream becomes a session of its own over a streamBridge, served by
// the same HTTP/1.1 path as any request. The connection's session holds
// the connection counters; its streams count requests only.

// h2Version is the version HAProxy logs (%HV) for an HTTP/2 request.
var h2Version = []byte("HTTP/2.0")

// wantsH2 reports whether a connection speaks HTTP/2 from its first byte.
func (s *session) wantsH2() bool {
	if s.fe.cfg.Mode != ModeHTTP {
		return false
	}
	if s.tlsState != nil && s.tlsState.NegotiatedProtocol == "h2" {
		return true
	}
	return s.bind.h2
}

// h2Transport is the connection under the frames.
type h2Transport struct {
	c   *tconn
	to  time.Duration // timeout client, for each write
	pre []byte        // read before the switch to HTTP/2 (h2_upgrade.go), given first
}

func (t *h2Transport) Read(p []byte) (int, error) {
	if len(t.pre) > 0 {
		n := copy(p, t.pre)
		t.pre = t.pre[n:]
		return n, nil
	}
	return t.c.readRaw(p)
}
func (t *h2Transport) Write(p []byte) (int, error) { return t.c.writeAt(p, time.Time{}, t.to) }
func (t *h2Transport) SetReadDeadline(d time.Time) error {
	return t.c.TCPConn.SetReadDeadline(d)
}

// serveH2 runs an HTTP/2 connection until it ends; pre is what was read
// of it before (its preface, h2_upgrade.go). The idle timeout is
// `timeout http-keep-alive`, else `timeout client`, as HAProxy's.
func (s *session) serveH2(pre []byte) {
	t := &s.fe.cfg.Timeouts
	conn := h2.NewConn(&h2Transport{c: s.c, to: t.Client, pre: pre}, h2.Options{
		Settings:    s.p.cfg.H2,
		IdleTimeout: firstSet(t.HTTPKeepAlive, t.Client),
		DrainGrace:  softStopGrace,
		Handler:     s.serveStream,
		Release:     releaseStreamSession,
		Refused:     s.logRefusedStream, // h2_refused.go
	})
	s.h2c.Store(conn)
	s.info.shared = s.info.shareSess() // its streams' sess variables (vars_shared.go)
	if s.p.closing.Load() {
		conn.GoAway() // accepted while stopping: no stream will be served
	}
	if errors.Is(conn.Serve(), h2.ErrPreface) {
		// HAProxy's H2 mux logs a line without a stream: status 0,
		// <BADREQ>, PR (measured on a bind with proto h2)
		s.tl = timeline{start: s.accepted, firstByte: s.accepted, noTxn: true}
		s.emitSessLog(0, term('P', 'R'))
	}
	s.finish()
}

// serveStream serves one stream as a session of its own.
func (s *session) serveStream(st *h2.Stream) {
	wm := workerMemOf(st)
	all := wm.takeSession() // zeroed (releaseStreamSession)
	cs := &all.s
	cs.txn = &all.t
	now := st.Arrived() // the reader's reading for the stream (clock_reads.go)
	if now.IsZero() {
		now = time.Now()
	}
	cs.p, cs.fe, cs.accepted, cs.parkedFD, cs.bind = s.p, s.fe, now, -1, s.bind
	cs.clk.preset(now)
	cs.tlsState, cs.src, cs.dst, cs.connSrc, cs.connDst = s.tlsState, s.connSrc, s.connDst, s.connSrc, s.connDst
	cs.stream, cs.parent = st, s
	cs.info.TLS = s.tlsState
	cs.info.FrontCert = s.info.FrontCert
	cs.info.FrontTLS = s.info.FrontTLS
	cs.info.TLSErrors = s.info.TLSErrors
	cs.info.SSLFront = s.info.SSLFront // %ft's '~'
	cs.info.shared = s.info.shared
	if tr := s.info.track; tr != nil {
		// The stream sees the tables and counts on the connection's
		// tracked entries as an HTTP/1 request does; the connection
		// session alone releases those (endSession).
		cs.info.track = &tracking{sess: tr.sess, tables: tr.tables, own: tr.own}
	}
	sc := wm.takeScratch()
	sc.give(cs)
	b := &all.b
	b.init(st, sc)
	all.c = tconn{h2: b, stop: &cs.woken}
	cs.c = &all.c
	// A reset stream (or a dead connection) cuts the server side at once:
	// the session may be waiting on its server.
	st.SetOnAbort(all)
	st.SetBeforeEnd(all)
	cs.takeStreamBuf(wm)
	cs.info.req = &cs.req
	cs.info.cliTCP = s.c.TCPConn
	cs.beginConnInfo()
	cs.serveHTTP(true)
	sc.keep(cs, b)
	wm.keepScratch(sc)
}

// streamSession is one allocation for a stream's session, its
// connection and bridge, reused by later streams: at 4.7 KB, a fresh one
// per stream was about 8% of an HTTP/2 request's CPU (allocation, its
// zeroing and the collector's work; h2load profile of gohaproxy).
type streamSession struct {
	s session
	t txn
	c tconn
	b streamBridge
}

// Abort cuts the server side of a reset stream (or of a dead
// connection) at once: the session may be waiting on its server.
func (a *streamSession) Abort() {
	if sc := a.s.srvConn.Load(); sc != nil {
		sc.Close()
	}
}

// BeforeEnd gives the stream's variable bytes back to its connection's
// session before its response's last frame goes out (vars_shared.go).
func (a *streamSession) BeforeEnd() { a.s.info.releaseStreamVars() }

// h2Version makes a stream's request say 2.0 to req.ver and %HV; the
// server still gets HTTP/1.1 (Minor stays 1).
func (s *session) h2Version() {
	if s.stream != nil {
		s.req.Version = h2Version
	}
}

// finishStream ends a stream's session: no connection counters move.
func (s *session) finishStream() {
	s.info.endStreamVars() // vars_shared.go
	s.priv.close()
	s.keepStreamBuf()
	s.c.Close()
}
