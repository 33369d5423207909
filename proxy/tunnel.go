package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/http1"
)

// spliceMode says when one direction of a relay moves its bytes with
// splice(2) instead of through a user-space buffer.
type spliceMode uint8

const (
	spliceNever  spliceMode = iota // plain copy: HAProxy without `option splice-*`
	spliceAuto                     // once the direction streams: `option splice-auto`
	spliceAlways                   // `option splice-request` / `splice-response`
)

// spliceModes returns the client→server and server→client modes of a
// frontend/backend pair: HAProxy ORs the two proxies' options, and the
// global `nosplice` turns them all off.
func spliceModes(noSplice bool, f, b SpliceOptions) (up, down spliceMode) {
	if noSplice {
		return spliceNever, spliceNever
	}
	pick := func(always bool) spliceMode {
		switch {
		case always:
			return spliceAlways
		case f.Auto || b.Auto:
			return spliceAuto
		}
		return spliceNever
	}
	return pick(f.Request || b.Request), pick(f.Response || b.Response)
}

// serveTCP is `mode tcp`: connect to a server of the default backend and
// relay bytes both ways.
func (s *session) serveTCP() {
	s.tl = timeline{start: s.accepted}
	s.info.beginStream()
	s.info.beginRawHTTP() // raw_http.go
	pending, ok := s.inspectTCP()
	if !ok {
		return
	}
	if s.sw.switching {
		s.upgradeConn(nil, pending) // switch_conn.go
		return
	}
	be := s.tcpBackend()
	if be == nil {
		return
	}
	if be.cfg.Mode == ModeHTTP {
		s.upgradeConn(be, pending) // switch_conn.go
		return
	}
	if pending, ok = s.inspectBackendTCP(be, pending); !ok { // backend_content_tcp.go
		return
	}
	s.breq.Src = s.src.Addr()
	// (a tcp-request content set-log-level stays: actions_log.go)
	s.tl = timeline{start: s.accepted, logLevel: s.tl.logLevel}
	s.breq.Payload = pending // balance rdp-cookie reads it
	s.rawBalanceHead(be)     // raw_http.go
	s.rdpPersist(be)
	s.stickMatch(be)
	var hang *hangupWatch
	if be.cfg.AbortOnClose {
		hang = watchHangup(s.c, s.p.lim.headLimit-len(pending))
		s.tl.abort = hang.hungUp()
	}
	// HAProxy counts the stream in the backend once it is assigned, a
	// connection or not, and its be_conn (%bc) holds it while it waits
	// in the queue (stream_set_backend).
	be.stats.sessions.Add(1)
	countRate(&be.stats, false)
	be.conns.Add(1)
	s.beCounted = be
	defer s.leaveBackend(be)
	srv, sc, _ := be.connect(&s.breq, s.client(), be.cfg.Timeouts.Connect, &s.tl, &s.retries, &s.ck.pin)
	hang.stop()
	if srv == nil {
		if hung(s.tl.abort) {
			// abortonclose: the client left the queue (HAProxy's Tw is
			// the time it spent there, Tc -1).
			s.tl.picked = time.Now()
			s.received = int64(len(pending)) + s.drainGone()
			s.emitLog(be, nil, 0, term('C', 'Q'))
			return
		}
		s.info.streamConnectFailed(s.retries.n)
		t := s.connectFailTerm()   // tcp_connect_fail.go
		s.heldAtClose(be, pending) // tcp_connect_fail.go
		s.emitLog(be, nil, 0, t)
		return // HAProxy closes the client connection when no server answers
	}
	defer sc.Close()
	// HAProxy runs the store rules once the server connection is up (no
	// response to wait for in TCP mode).
	s.stickStore(be, srv)
	s.goesTo(srv, sc)
	s.info.streamConnected(&be.cfg.Timeouts, false) // stream_figures.go
	// logasap, or a log-format without a tag waiting for the end:
	// HAProxy logs once the connection is established, its bc_* set
	s.logASAP(be, srv, 0, 0, s.tl.connected)
	srv.stats.sessions.Add(1)
	countRate(&srv.stats, false)
	// The server's connection count drops before the log line, which
	// shows it as HAProxy does (srv_conn).
	released := false
	release := func() {
		if !released {
			released = true
			be.release(srv)
		}
	}
	defer release()
	res := s.tcpResponseTCP(be, srv, sc, pending) // tcp_response.go
	if res.ended {
		release()
		// the response bytes the rules read count as received from the
		// server, dropped or not (HAProxy's %B on a PD)
		s.received, s.sent = s.received+res.up, s.sent+int64(len(res.head))
		s.emitLog(be, srv, 0, res.t)
		return
	}
	ft, bt := &s.fe.cfg.Timeouts, &be.cfg.Timeouts
	if len(res.head) > 0 {
		// What the response rules inspected goes first, unchanged.
		if _, err := s.c.write(res.head, ft.Client); err != nil {
			release()
			countAbort(be, srv, term('C', 'D'))
			s.emitLog(be, srv, 0, term('C', 'D'))
			return
		}
	}
	if len(pending) > 0 && !res.sent {
		// What the rules inspected goes first, unchanged.
		if _, err := sc.write(pending, bt.Server); err != nil {
			release()
			countAbort(be, srv, term('S', 'D'))
			s.emitLog(be, srv, 0, term('S', 'D'))
			return
		}
	}
	upMode, downMode := spliceModes(s.p.cfg.NoSplice || !s.c.plain() || !sc.plain(), s.fe.cfg.Splice, be.cfg.Splice)
	// In TCP the backend's timeout tunnel replaces both sides' timeouts
	// once the session relays (HAProxy 2.6; relay.go).
	rc := relay(s.c, sc, relayTimeouts{
		client:      firstSet(bt.Tunnel, ft.Client),
		server:      firstSet(bt.Tunnel, bt.Server),
		clientFin:   ft.ClientFin,
		serverFin:   bt.ServerFin,
		indepClient: s.fe.cfg.IndependentStreams,
		indepServer: be.cfg.IndependentStreams,
		resetServer: be.cfg.NoLinger,
		tunnel:      bt.Tunnel > 0,
	}, upMode, downMode)
	up, down := rc.up+int64(len(pending))+res.up, rc.down+int64(len(res.head))
	s.fe.stats.bytesIn.Add(up)
	s.fe.stats.bytesOut.Add(down)
	srv.stats.bytesIn.Add(up)
	srv.stats.bytesOut.Add(down)
	be.stats.bytesIn.Add(up)
	be.stats.bytesOut.Add(down)
	s.sent, s.received = down, up
	release()
	t := term('-', '-')
	if rc.term[0] != 0 {
		t = rc.term
		countAbort(be, srv, t)
	}
	s.emitLog(be, srv, 0, t)
}

// connectAccepted reports a 2xx answer to a CONNECT request: the
// connection becomes a tunnel, as after a 101 (http1/connect.go).
func (x *exchange) connectAccepted() bool {
	st := x.s.resp.Status
	return st >= 200 && st < 300 && x.s.req.IsConnect()
}

// upgrade takes a 101 or a CONNECT's 2xx: a 101 the request did not ask
// for is refused, as is a WebSocket handshake HAProxy's H1 multiplexer
// refuses (ws_key.go); the rest becomes a tunnel.
func (x *exchange) upgrade() bool {
	if x.s.resp.Status == 101 && !x.s.req.IsUpgrade() {
		x.failResponse(errBadResponse)
		return false
	}
	if !x.wsAcceptOK() {
		// Refused by HAProxy's H1 multiplexer once the head is parsed:
		// Tr -1, and `show errors` keeps it (error at the head's end).
		x.captureBadResponse(x.sbuf[x.sstart:x.send], &http1.Error{Status: 502, Msg: "WebSocket 101 without its Sec-WebSocket-Accept",
			Pos: x.s.resp.HeadLen, State: http1.StateAccepted}, nil)
		x.s.tl.respHead = time.Time{}
		x.failResponse(errRefusedResponse)
		return !x.clientClose
	}
	return x.tunnel()
}

// tunnel switches an upgraded HTTP connection (101, or a CONNECT's 2xx)
// to a byte relay under `timeout tunnel` (else each side's own timeout),
// after flushing what each side already sent.
func (x *exchange) tunnel() bool {
	s := x.s
	s.info.resp = &s.resp
	// HAProxy counts the head as received, in its HTX size, before its
	// rules (as forwardResponse does).
	resp := &s.resp
	counted := htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers)
	x.stickStore()
	if r := x.runResponseRules(); r != nil {
		x.clientClose = true // the client asked for an upgrade: nothing follows
		x.answerResponseRule(r)
		return false
	}
	x.responseCookies() // HAProxy handles a 101's cookies as a final response's
	x.afterResponse()   // and runs its http-after-response rules
	head := x.buildResponseHead()
	s.uncounted += int64(len(head)) - counted
	if err := s.clientWrite(append(head, x.sbuf[x.sstart+s.resp.HeadLen:x.send]...)); err != nil {
		return false
	}
	if err := x.serverWrite(s.buf[s.start:s.end]); err != nil {
		return false
	}
	s.tl.tunnelIn += int64(s.end - s.start)
	s.start = s.end
	x.status = resp.Status
	s.fe.stats.countStatus(resp.Status)
	x.be.stats.countStatus(resp.Status)
	x.srv.stats.countStatus(resp.Status)
	ft, bt := &s.fe.cfg.Timeouts, &x.be.cfg.Timeouts
	tun := firstSet(s.tl.tunnelTimeout, bt.Tunnel, ft.Tunnel)
	upMode, downMode := spliceModes(s.p.cfg.NoSplice || !s.c.plain() || !x.sc.plain(), s.fe.cfg.Splice, x.be.cfg.Splice)
	rc := relay(s.c, x.sc, relayTimeouts{
		client: firstSet(tun, ft.Client), server: firstSet(tun, x.serverTimeout()),
		clientFin: ft.ClientFin, serverFin: bt.ServerFin, http: true,
		resetServer: x.be.cfg.NoLinger, // nolinger.go
	}, upMode, downMode)
	if rc.term[0] != 0 {
		x.term = rc.term // counted with the exchange's end (body_abort.go)
	}
	up, down := rc.up, rc.down
	s.fe.stats.bytesIn.Add(up)
	s.fe.stats.bytesOut.Add(down)
	s.sent += down
	s.received += up
	s.tl.tunnelIn += up
	return false
}

// countAbort counts a session that ended on a C/c state in the backend's
// and the server's cli_abrt, on an S/s state in their srv_abrt (HAProxy's
// cli_aborts and srv_aborts).
func countAbort(be *backend, srv *server, t [2]byte) {
	var c []*Counters
	if be != nil {
		c = append(c, &be.stats)
	}
	if srv != nil {
		c = append(c, &srv.stats)
	}
	for _, k := range c {
		switch t[0] {
		case 'C', 'c':
			k.cliAbrt.Add(1)
		case 'S', 's':
			k.srvAbrt.Add(1)
		}
	}
}
