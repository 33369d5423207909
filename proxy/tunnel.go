package proxy

import (
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// relayTimeouts are the inactivity limits of a bidirectional relay.
type relayTimeouts struct {
	idle      time.Duration // both directions quiet this long ends the relay (0 = never)
	clientFin time.Duration // after the client half-closed (0 = idle)
	serverFin time.Duration // after the server half-closed (0 = idle)
	// resetServer is a tcp backend's option nolinger: the client's end
	// resets the server connection at once (nolinger.go).
	resetServer bool
}

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

const (
	// relaySmall is each direction's own read buffer. A relay reads into
	// it first and takes a pooled bufSize buffer only after a read filled
	// it, giving it back after a read that does not fill that one (the
	// socket is drained, the next read will likely wait): an idle tcp
	// session holds no pooled buffer and no pipe.
	relaySmall = 4096
	// streamerReads is how many consecutive reads must fill the pooled
	// buffer before splice-auto hands the direction to the kernel: like
	// HAProxy's streamer detection, only a sustained stream is spliced,
	// since for small messages the pipe round trip costs more than the
	// copy it saves.
	streamerReads = 3
	// spliceChunk bounds one splice run, so the inactivity clock advances
	// while a long transfer is spliced.
	spliceChunk = 1 << 20
)

// relay copies both ways between two connections. When one side finishes
// sending, the other side's write half is shut (half-close) and the
// remaining direction goes on under the *-fin timeout.
func relay(client, server *tconn, t relayTimeouts, upMode, downMode spliceMode) relayCounts {
	r := &relayState{base: time.Now()}
	var up, down int64
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		up = r.pump(server, client, upMode, &r.spliced[0], r.upSmall[:], func() time.Duration {
			if r.downDone.Load() && t.serverFin > 0 {
				return t.serverFin
			}
			return t.idle
		})
		r.upDone.Store(true)
		if t.resetServer {
			server.reset() // nolinger.go
		} else {
			server.CloseWrite()
		}
	}()
	go func() {
		defer wg.Done()
		down = r.pump(client, server, downMode, &r.spliced[1], r.downSmall[:], func() time.Duration {
			if r.upDone.Load() && t.clientFin > 0 {
				return t.clientFin
			}
			return t.idle
		})
		r.downDone.Store(true)
		client.CloseWrite()
	}()
	wg.Wait()
	return relayCounts{up: up, down: down, splicedUp: r.spliced[0].Load(), splicedDown: r.spliced[1].Load()}
}

// relayCounts are the bytes a relay moved client→server (up) and
// server→client (down), and how many of them went through splice(2).
type relayCounts struct {
	up, down, splicedUp, splicedDown int64
}

// relayState is what the two directions of a relay share.
type relayState struct {
	spliced            [2]atomic.Int64 // by splice: up, down
	base               time.Time
	last               atomic.Int64 // when a byte last moved either way, since base
	upDone, downDone   atomic.Bool
	upSmall, downSmall [relaySmall]byte
}

func (r *relayState) touch(now time.Time) { r.last.Store(int64(now.Sub(r.base))) }

// quietUntil is when the relay ends if nothing moves: d after the last
// byte in either direction.
func (r *relayState) quietUntil(d time.Duration) time.Time {
	return r.base.Add(time.Duration(r.last.Load()) + d)
}

// pump copies src to dst until EOF or error. The read deadline is the end
// of the relay's quiet period (d after the last byte moved either way); a
// read that times out while the other direction moved goes on, one that
// finds the whole relay quiet closes both connections.
func (r *relayState) pump(dst, src *tconn, mode spliceMode, spliced *atomic.Int64, small []byte, period func() time.Duration) int64 {
	var total int64
	var big *[]byte
	defer func() {
		if big != nil {
			putBuf(big)
		}
	}()
	fullReads := 0
	now := time.Now() // one clock reading per read serves the next one too
	for {
		if mode == spliceAlways || (mode == spliceAuto && fullReads >= streamerReads) {
			if big != nil {
				putBuf(big)
				big = nil
			}
			n := r.splice(dst, src, period)
			spliced.Store(n)
			return total + n
		}
		d := period()
		p := small
		if big != nil {
			p = *big
		}
		var want time.Time
		if d > 0 {
			want = r.quietUntil(d)
		}
		n, err := src.readUntil(p, now, want)
		now = time.Now()
		if n > 0 {
			r.touch(now)
			if _, werr := dst.writeAt(p[:n], now, d); werr != nil {
				src.Close()
				dst.Close()
				return total
			}
			total += int64(n)
			switch {
			case n == len(p) && big == nil:
				big = getBuf()
			case n == len(p):
				fullReads++
			case big != nil:
				putBuf(big)
				big, fullReads = nil, 0
			}
		}
		if err == nil {
			continue
		}
		if err == io.EOF {
			return total
		}
		if isTimeout(err) && now.Before(r.quietUntil(period())) {
			continue // the other direction moved meanwhile
		}
		src.Close()
		dst.Close()
		return total
	}
}

// splice moves src to dst with splice(2) (io.Copy between two
// *net.TCPConn) until EOF or error. It runs in chunks so the quiet-period
// clock follows a long transfer; a timeout after some bytes moved counts as
// activity, so in this mode the quiet period is measured from the last
// deadline that saw data, at most one period late.
func (r *relayState) splice(dst, src *tconn, period func() time.Duration) int64 {
	var total int64
	for {
		d := period()
		now := time.Now()
		if d > 0 {
			src.setRead(now.Add(d))
			dst.setWrite(now.Add(d))
		} else {
			src.setRead(time.Time{})
			dst.setWrite(time.Time{})
		}
		n, err := io.CopyN(dst.TCPConn, src.TCPConn, spliceChunk)
		total += n
		if n > 0 {
			r.touch(time.Now())
		}
		if err == nil {
			continue // a whole chunk: go on with fresh deadlines
		}
		if err == io.EOF {
			return total
		}
		if isTimeout(err) && (n > 0 || time.Now().Before(r.quietUntil(period()))) {
			continue
		}
		src.Close()
		dst.Close()
		return total
	}
}

// serveTCP is `mode tcp`: connect to a server of the default backend and
// relay bytes both ways.
func (s *session) serveTCP() {
	s.tl = timeline{start: s.accepted}
	s.info.beginStream()
	pending, ok := s.inspectTCP()
	if !ok {
		return
	}
	be := s.tcpBackend()
	if be == nil {
		return
	}
	s.breq.Src = s.src.Addr()
	// (a tcp-request content set-log-level stays: actions_log.go)
	s.tl = timeline{start: s.accepted, logLevel: s.tl.logLevel}
	s.breq.Payload = pending // balance rdp-cookie reads it
	s.rdpPersist(be)
	s.stickMatch(be)
	var hang *hangupWatch
	if be.cfg.AbortOnClose {
		hang = watchHangup(s.c)
		s.tl.abort = hang.hungUp()
	}
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
		s.emitLog(be, nil, 0, term('S', 'C'))
		return // HAProxy closes the client connection when no server answers
	}
	defer sc.Close()
	s.logASAP(be, srv, 0, 0, s.tl.connected)
	// HAProxy runs the store rules once the server connection is up (no
	// response to wait for in TCP mode).
	s.stickStore(be, srv)
	s.goesTo(srv, sc)
	s.info.streamConnected(&be.cfg.Timeouts, false) // stream_figures.go
	srv.stats.sessions.Add(1)
	be.stats.sessions.Add(1)
	countRate(&srv.stats, false)
	countRate(&be.stats, false)
	be.conns.Add(1)
	defer be.conns.Add(-1)
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
			s.emitLog(be, srv, 0, term('C', 'D'))
			return
		}
	}
	if len(pending) > 0 && !res.sent {
		// What the rules inspected goes first, unchanged.
		if _, err := sc.write(pending, bt.Server); err != nil {
			release()
			s.emitLog(be, srv, 0, term('S', 'D'))
			return
		}
	}
	upMode, downMode := spliceModes(s.p.cfg.NoSplice || !s.c.plain() || !sc.plain(), s.fe.cfg.Splice, be.cfg.Splice)
	rc := relay(s.c, sc, relayTimeouts{
		idle:        firstSet(max(ft.Client, bt.Server)),
		clientFin:   ft.ClientFin,
		serverFin:   bt.ServerFin,
		resetServer: be.cfg.NoLinger,
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
	s.emitLog(be, srv, 0, term('-', '-'))
}

// tunnel switches an upgraded HTTP connection (101) to a byte relay under
// `timeout tunnel`, after flushing what each side already sent.
func (x *exchange) tunnel() bool {
	s := x.s
	s.info.resp = &s.resp
	x.stickStore()
	if r := x.runResponseRules(); r != nil {
		x.clientClose = true // the client asked for an upgrade: nothing follows
		x.answerResponseRule(r)
		return false
	}
	x.responseCookies() // HAProxy handles a 101's cookies as a final response's
	x.afterResponse()   // and runs its http-after-response rules
	if err := s.clientWrite(append(x.buildResponseHead(), x.sbuf[x.sstart+s.resp.HeadLen:x.send]...)); err != nil {
		return false
	}
	if err := x.serverWrite(s.buf[s.start:s.end]); err != nil {
		return false
	}
	s.start = s.end
	x.status = 101
	s.fe.stats.countStatus(101)
	x.be.stats.countStatus(101)
	x.srv.stats.countStatus(101)
	ft, bt := &s.fe.cfg.Timeouts, &x.be.cfg.Timeouts
	idle := firstSet(s.tl.tunnelTimeout, bt.Tunnel, ft.Tunnel, max(ft.Client, bt.Server))
	upMode, downMode := spliceModes(s.p.cfg.NoSplice || !s.c.plain() || !x.sc.plain(), s.fe.cfg.Splice, x.be.cfg.Splice)
	rc := relay(s.c, x.sc, relayTimeouts{idle: idle, clientFin: ft.ClientFin, serverFin: bt.ServerFin}, upMode, downMode)
	up, down := rc.up, rc.down
	s.fe.stats.bytesIn.Add(up)
	s.fe.stats.bytesOut.Add(down)
	s.sent += down
	s.received += up
	return false
}
