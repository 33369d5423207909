package proxy

import (
	"crypto/tls"
	"errors"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// session is one client connection and the transactions on it.
type session struct {
	// txn is what only a transaction in progress needs: nil while the
	// session is parked (session_txn.go).
	*txn
	p  *Proxy
	fe *frontend
	c  *tconn // its read deadline wake-ups are final while woken is set
	// tlsState is the client's TLS handshake result (nil: clear text).
	tlsState *tls.ConnectionState
	src      netip.AddrPort
	// dst is the address the client connected to; with src, the one a
	// PROXY header carried on an accept-proxy bind (bind.acceptProxy):
	// the request's, which set-src/set-dst change (actions_addr.go), from
	// connSrc/connDst, the connection's once its tcp-request rules ran.
	dst, connSrc, connDst netip.AddrPort
	softRewrite           bool       // strict-mode off (actions_strict.go)
	ratePending           bool       // accepted under rate-limit sessions, not counted yet (rate_limit.go)
	procRatePending       bool       // accepted under maxsessrate, not counted yet (process_rate.go)
	expect                connExpect // the headers expect-* connection rules asked for (proxyhdr.go)
	bind                  *bindInfo  // its listener's
	// beCounted is the backend whose be_conn counts this session's
	// stream now (nil: none): its log line leaves it out (log.go).
	beCounted *backend
	priv      privateConn // a send-proxy server's connection kept for this client
	// contentNext is the tcp-request content rule a wait stopped at.
	contentNext int
	// firstContentRan: the content rules ran on the connection's TCP
	// stream for the first request, which skips them and keeps their
	// variables (switch_conn.go).
	firstContentRan bool
	sw              connSwitch // its upgrade to HTTP (switch_conn.go)

	// h2c is the HTTP/2 engine of a connection speaking it; stream is the
	// stream a session of such a connection serves (h2_session.go).
	h2c    atomic.Pointer[h2.Conn]
	stream *h2.Stream
	// parent is the client connection's session of a stream's, and
	// notFirst marks a kept-alive connection past its first request:
	// what http-reuse reads (reuse.go). A stream's request is always a
	// first, as HAProxy's HTTP/2 streams are.
	parent   *session
	notFirst bool
	bufHead  int // where HAProxy's input buffer would start its data (errsnap.go)

	idle    atomic.Bool // waiting for the next request on a kept-alive connection
	woken   atomic.Bool // Shutdown woke the idle wait
	srvConn atomic.Pointer[tconn]
	// curSrv is the server srvConn goes to (`shutdown sessions server`).
	curSrv atomic.Pointer[server]
	// listing is its `show sess` id and start, set once by track.
	listing sessionListing

	// Parking (idle_park.go): the descriptor under which the parker holds
	// the session (-1: not parked) and its place among the parked
	// deadlines (idle_deadlines.go), both guarded by the parker's lock;
	// where the idle wait began and must end.
	parkedFD            int32
	parkIdx             int32
	resumed             bool
	idleStart, idleWant time.Time
	// graceEnd (Unix nanoseconds) is when an idle wait ends once the proxy
	// is stopping (softStopGrace); stored before idle is set.
	graceEnd atomic.Int64
	// idleUntil (Unix nanoseconds, 0: none) is the idle wait's deadline.
	idleUntil atomic.Int64

	bp         *[]byte // pooled buffer behind buf; nil while idle
	buf        []byte  // client-side buffer; buf[start:end] is unread input
	start, end int
	// parked holds info's connection facts while the session is parked
	// and info, in txn, is given back (session_txn.go).
	parked connInfo
	pp     ProxyReceived // what the connection's PROXY header said (proxyhdr.go)

	// Per-transaction log material (with txn's).
	accepted       time.Time
	clk            sessionClock // clock readings shared (clock_reads.go)
	reqID          int64        // %rt of the transaction (unique_id.go)
	sent, received int64
	// What HAProxy counts of them for %B and %U (htx_count.go): sent
	// less uncounted; inHead and inBody, the request as HTX (inHead 0:
	// no head parsed in this transaction, received is logged).
	uncounted      int64
	inHead, inBody int64
	bodyWaited     bool // the request body was waited for (body_wait.go)
}

// softStopGrace is how long, from the end of its last response, a
// kept-alive connection may still bring its next request once the proxy
// is stopping: a client at full speed has often sent it already, and
// closing under it would lose it (HAProxy closes idle connections at once
// and loses a few per reload). That request is answered with Connection:
// close. A connection idle for longer is closed at once, as HAProxy does.
// A variable so tests can change it.
var softStopGrace = time.Second

// wakeIfIdle makes a session blocked between requests end its wait by its
// graceEnd, so Shutdown does not wait for keep-alive timeouts. A parked
// session past its graceEnd is ended here (on its own goroutine: the
// caller holds the Proxy's lock, which finish takes).
func (s *session) wakeIfIdle() {
	if c := s.h2c.Load(); c != nil {
		s.p.goAwayOnStop(c.GoAway) // HTTP/2: GOAWAY, and the end once its streams are done
		return
	}
	if !s.idle.Load() || s.keepsIdleOnStop() { // idle_close.go
		return
	}
	end := s.idleStopEnd(time.Now(), s.idleWantTime(), time.Unix(0, s.graceEnd.Load())) // close_spread.go
	if k := sharedParker(); k != nil {
		if parked, now := k.endBy(s, end); parked {
			if now {
				s.woken.Store(true)
				go s.finish()
			}
			return
		}
	}
	// Waiting on its goroutine: its wait is cut (or stretched) to end, and
	// it does not park. An end past means the session is resuming with
	// data from the parker: its request is served.
	if time.Now().Before(end) {
		s.woken.Store(true)
		s.c.SetReadDeadline(end)
	}
}

// abort closes both sides of a session (Shutdown past its deadline).
func (s *session) abort() {
	if k := sharedParker(); k != nil && k.take(s) {
		go s.finish()
		return
	}
	s.c.Close()
	if sc := s.srvConn.Load(); sc != nil {
		sc.Close()
	}
}

// serve runs a newly accepted connection on its own goroutine. The session
// ends with finish, on whichever goroutine serves it last: an HTTP session
// parked between requests continues on another one (resume).
func (s *session) serve() {
	st := &s.fe.stats
	st.curSessions.Add(1)
	s.socketAddrs() // actions_addr.go
	if err := s.acceptHeaders(); err != nil {
		s.connError(err)
		s.finish()
		return
	}
	if s.bind.tls != nil {
		if err := s.startTLS(s.bind.tls); err != nil {
			s.connError(err)
			s.finish()
			return
		}
	}
	s.beginConnInfo()
	if s.sessionRules() { // a silent-drop
		s.finish()
		return
	}
	s.keepConnAddrs() // actions_addr.go
	// Counted once its PROXY header is in: HAProxy's frontend stot leaves
	// out connections refused before their session began.
	st.sessions.Add(1)
	countRate(st, false)
	s.p.rates.countSession()
	s.rateCounted()
	// TCP_NODELAY: Go sets it on every connection it accepts.
	if s.wantsH2() {
		s.serveH2(nil)
		return
	}
	if s.fe.cfg.Mode == ModeTCP {
		s.serveTCP()
		if s.sw.up.Load() { // upgraded to HTTP (switch_conn.go)
			s.serveHTTP(true)
			return
		}
		s.finish()
		return
	}
	s.takeBuf()
	s.breq.Header = s.balanceHeader
	s.breq.LastHeader = s.balanceLastHeader
	s.info.req = &s.req
	s.serveHTTP(true)
}

// serveHTTP runs transactions until the connection ends or is parked.
func (s *session) serveHTTP(first bool) {
	for ; ; first = false {
		switch s.readRequest(first) {
		case requestParked:
			return
		case requestNone:
			s.finish()
			return
		case requestH2:
			s.serveUpgradedH2() // h2_upgrade.go
			return
		}
		s.h2Version()
		// Once the proxy stops, responses say Connection: close (see
		// forwardResponse); one whose head had already gone keeps the
		// connection for one more request, waited for by waitIdle.
		if !s.transaction() || s.stream != nil { // a stream carries one request
			s.finish()
			return
		}
		s.notFirst = true
		s.endTxnFacts() // next_request.go
	}
}

// resume continues a parked session whose socket became readable.
func (s *session) resume() {
	s.takeTxn() // session_txn.go
	s.resumed = true
	s.serveHTTP(false)
}

// finish ends a session: its buffer back to the pool, its socket closed,
// its counters and connection slots released.
func (s *session) finish() {
	s.takeTxn() // a parked one's (session_txn.go)
	s.rateCounted()
	s.endTracking()
	if s.stream != nil {
		s.info.releaseEval()
		s.finishStream()
		return
	}
	s.endSession()
	s.info.endSessionVars() // vars_proc_limit.go
	s.info.releaseEval()    // after the last log line's samples
	s.priv.close()
	s.dropBuf()
	s.fe.stats.curSessions.Add(-1)
	s.p.actConn.Add(-1) // before the close a client sees: its next connection's log counts this one gone
	s.c.closeNotify()
	s.c.Close()
	s.p.untrack(s)
	s.p.release(s.fe, *s.bind)
}

// What readRequest leaves the session with.
type requestRead int

const (
	requestReady  requestRead = iota // a whole head is buffered
	requestNone                      // the connection ends (answered or silent)
	requestParked                    // idle: handed to the parker
	requestH2                        // the HTTP/2 preface: the connection switches
)

// readRequest reads until a whole request head is buffered. It applies
// `timeout http-keep-alive` while waiting for the first byte of a follow-up
// request and `timeout http-request` for the head itself (408 when it
// expires, which is what cuts slowloris clients).
func (s *session) readRequest(first bool) requestRead {
	s.keepPipelined() // errsnap.go
	s.tl = timeline{start: s.clk.requestStart()}
	s.sent, s.received, s.retries = 0, 0, retryLog{}
	s.ck = cookieTxn{}
	s.uncounted, s.inHead, s.inBody = 0, 0, 0
	if s.end > 0 {
		s.tl.firstByte = s.tl.start // pipelined bytes were already there
	}
	t := &s.fe.cfg.Timeouts
	if s.end == 0 && !first {
		if r := s.waitIdle(t); r != requestReady {
			return r
		}
	}
	// The head's deadline: headDeadline (head_wait.go).
	lastRead := s.tl.start
	if !s.tl.firstByte.IsZero() {
		lastRead = s.tl.firstByte
	}
	hadData := s.end > 0
	for reads := 0; ; reads++ {
		if s.end > 0 {
			if first && s.upgradesH2() {
				return requestH2
			}
			s.req.AcceptInvalid = s.fe.cfg.AcceptInvalidRequest
			s.req.MaxHeaders, s.req.AnyMethodPayload = s.p.lim.maxHeaders, s.p.cfg.AnyMethodPayload
			s.req.FromH2 = s.stream != nil
			err := s.headError(s.parseRequestHead()) // h2_scratch.go, head_wait.go
			if err == nil && !s.headFitsHTX() {
				s.refuseHTXOverflow()
				return requestNone
			}
			if err == nil {
				// A head that came whole with its first byte was
				// complete when that byte was: no clock reading.
				s.tl.head = s.tl.firstByte
				if reads > 1 || (reads == 1 && hadData) {
					s.tl.head = time.Now()
				}
				return requestReady
			}
			var pe *http1.Error
			if errors.As(err, &pe) && pe.Preface {
				s.refusePreface() // h2_upgrade.go
				return requestNone
			}
			if errors.As(err, &pe) {
				s.captureBadRequest(s.buf[:s.end], pe, nil, nil)
				s.refusedRequest()
				s.sendParserError(pe.Status, nil)
				s.emitSessLog(pe.Status, term('P', 'R'))
				s.drainAndShut()
				return requestNone
			}
			if s.end >= s.p.lim.reqInput {
				s.captureOversizedRequest()
				s.refusedRequest()
				s.sendParserError(400, nil)
				s.emitSessLog(400, term('P', 'R'))
				s.drainAndShut()
				return requestNone
			}
		}
		if reads > 0 {
			lastRead = time.Now() // the last read brought bytes
		}
		n, err := s.clientRead(s.buf[s.end:s.p.lim.reqInput], s.clk.headRead(reads, lastRead), s.headDeadline(t, lastRead))
		s.end += n
		if err != nil && n == 0 {
			if s.end == 0 && first && s.fe.cfg.IgnoreProbes {
				return requestNone // a browser's pre-connect: silent
			}
			s.refusedRequest()
			s.endEmptyWait()
			if isTimeout(err) {
				s.sendParserError(408, nil)
				s.emitSessLog(408, s.headEndTerm('c')) // switchmode.go
			} else {
				// HAProxy answers a 400 that a client which only shut
				// its side reads (measured, empty and partial heads).
				s.sendParserError(400, nil)
				s.emitSessLog(400, s.headEndTerm('C'))
			}
			return requestNone
		}
	}
}

// waitIdle waits on a kept-alive connection for the first bytes of the
// next request, up to `timeout http-keep-alive`. A waiting connection
// holds no 16 KiB buffer: its first read lands in a pooled 1 KiB one, and
// the big buffer is taken back once bytes arrive (most requests fit, so
// this costs no extra system call). Past parkAfter the session is parked
// (idle_park.go): its goroutine ends and it resumes here, on a new one,
// when its socket becomes readable.
func (s *session) waitIdle(t *Timeouts) requestRead {
	now := s.tl.start
	want := deadlineFrom(now, firstSet(t.HTTPKeepAlive, t.HTTPRequest, t.Client))
	var n int
	if s.resumed {
		// The socket is readable (data, or the end): this read does not
		// wait. The idle time counts from where it began.
		s.resumed = false
		s.tl.start, want = s.idleStart, s.idleWant
		s.takeBuf()
		n, _ = s.clientRead(s.buf[:s.p.lim.headLimit], time.Now(), want)
	} else {
		k := sharedParker()
		canPark := k != nil && (want.IsZero() || want.Sub(now) > 2*parkAfter)
		wait := want
		if canPark {
			wait = now.Add(parkAfter)
		}
		// A soft stop lets the client send what it may already be
		// sending until graceEnd (softStopGrace); that request is answered
		// with Connection: close. Deadline and graceEnd first, then the
		// idle flag, then the closing check: Shutdown sets closing before
		// it looks at idle, so either we see closing here or it cuts our
		// wait to graceEnd.
		graceEnd := now.Add(softStopGrace)
		if !want.IsZero() && want.Before(graceEnd) {
			graceEnd = want
		}
		s.graceEnd.Store(graceEnd.UnixNano())
		s.idleUntil.Store(unixNanoOrZero(want))
		s.c.armRead(now, wait)
		s.idle.Store(true)
		if s.p.closing.Load() && !s.keepsIdleOnStop() {
			s.woken.Store(true) // never parked: ends at graceEnd
			graceEnd = s.idleStopEnd(now, want, graceEnd)
			wait = graceEnd
		}
		s.dropBuf()
		small := smallPool.Get().(*[]byte)
		var err error
		n, err = s.clientRead(*small, now, wait)
		if n == 0 && canPark && isTimeout(err) && !s.woken.Load() {
			s.idleStart, s.idleWant = now, want
			s.shed()
			if k.park(s, want) {
				smallPool.Put(small)
				// Shutdown may have looked for idle sessions before the
				// parker had this one: look at closing again.
				if s.p.closing.Load() && !s.keepsIdleOnStop() {
					if _, now := k.endBy(s, graceEnd); now {
						return requestNone
					}
				}
				return requestParked
			}
			n, _ = s.clientRead(*small, time.Now(), want)
		}
		s.takeBuf()
		copy(s.buf, (*small)[:n])
		smallPool.Put(small)
	}
	s.end = n
	s.idle.Store(false)
	s.woken.Store(false) // a wake-up that lost the race with data is moot
	if n == 0 {
		return requestNone // idle keep-alive connection closed or timed out: silent
	}
	return requestReady
}

// transaction forwards one request and its response. It returns whether
// the client connection may carry another request.
func (s *session) transaction() bool {
	fe, req := s.fe, &s.req
	fe.stats.requests.Add(1)
	countRateAt(&fe.stats, true, s.clk.headTick(s.tl.head))
	s.resetStreamAddrs() // actions_addr.go
	s.info.Method, s.info.Target = req.Method, req.Target
	s.beginTransactionInfo()
	if answered, keep := s.answerMonitor(); answered {
		return keep
	}
	if answered, keep := s.runRequestRules(); answered {
		return keep
	} else if s.info.cache.hit != nil {
		return s.answerCache() // cache_use.go: no backend is chosen
	}
	if req.Chunked {
		// A malformed chunk already buffered is refused before any server
		// is bothered.
		var cs http1.Dechunker
		if n, err := cs.Check(s.buf[req.HeadLen:s.end]); err != nil {
			s.captureBadChunk(s.buf[:s.end], err, req.HeadLen+n, &cs, nil)
			s.sendParserError(400, nil)
			s.emitLog(nil, nil, 400, term('P', 'R'))
			s.drainAndShut()
			return false
		}
	}
	be, other := s.httpBackend() // switch_conn.go
	if other {
		return s.otherModeBackend(be) // mode_mismatch.go
	}
	if be == nil {
		return s.answerError(503, nil, term('S', 'C'))
	}
	be.stats.requests.Add(1)
	be.stats.sessions.Add(1)
	countRateAt(&be.stats, false, s.clk.tick())
	be.conns.Add(1)
	s.beCounted = be
	defer s.leaveBackend(be)
	if !s.backendBodyWait(be) { // counted in the backend first, as HAProxy
		return false
	}
	s.ck.logged = cookieLogged(be.cfg.Cookie)
	s.info.Backend = ProxyRef{be.cfg.Name, be.cfg.ID}
	if answered, keep := s.backendRequest(be); answered { // backend_rules.go
		return keep
	} else if s.info.cache.hit != nil {
		return s.answerCacheOf(be) // a hit the backend's cache-use found
	}
	s.uniqueIDHeader()                            // after the backend's rules, as HAProxy's http_process_request
	mode := max(fe.cfg.ConnMode, be.cfg.ConnMode) // the most closing option wins
	clientClose := req.WantsClose() || mode == Close || req.CLWithTE
	serverClose := mode != KeepAlive

	s.breq.Src = s.src.Addr()
	if string(s.info.Target) != s.breq.URI { // compared without a copy
		s.breq.URI = string(s.info.Target) // clients often repeat a target: no allocation then
	}
	var assigned *server
	if len(be.cfg.UseServers) > 0 {
		assigned = s.useServer(be)
	}
	if be.cfg.Cookie != nil || len(be.cfg.PersistRules) > 0 || fe.cfg.CaptureCookie != "" {
		s.scanCookies(be)
	}
	if assigned != nil {
		s.ck.pin.srv = assigned
	}
	s.stickMatch(be)
	client := s.client()
	client.ws = req.IsUpgrade() && http1.EqualFold(req.Upgrade, "websocket")
	if m := string(req.Method); m == "GET" || m == "HEAD" {
		client.redirectPath, _ = redirectPath(s.breq.URI)
	}
	if s.streamAbortedEarly(be) { // h2_body_end.go
		return false
	}
	s.tl.fresh = s.clk.fresh
	srv, sc, reused := be.connect(&s.breq, client, be.cfg.Timeouts.Connect, &s.tl, &s.retries, &s.ck.pin)
	s.redispatched()
	if srv != nil && sc == nil {
		return s.redirectToServer(be, srv, client.redirectPath)
	}
	if srv == nil {
		s.info.streamConnectFailed(s.retries.n) // stream_figures.go
		t := s.connectFailTerm()
		if s.tl.internal {
			return s.answerError(500, be, t)
		}
		return s.answerError(503, be, t)
	}
	srv.stats.sessions.Add(1)
	countRateAt(&srv.stats, false, s.clk.tickAt(s.tl.picked))
	if srv == s.ck.pin.srv && !s.ck.pin.left {
		srv.stats.direct.Add(1)
	}
	x := exchange{s: s, be: be, srv: srv, sc: sc, reused: reused, serverClose: serverClose, clientClose: clientClose, term: term('-', '-')}
	keep := x.run()
	s.info.cache.reset() // an entry the response did not complete is dropped
	if x.srv != nil {    // a replay may have moved to another server, or found none
		if x.pooled {
			x.srv.unpend()
		}
		be.release(x.srv)
	}
	s.srvConn.Store(nil)
	s.curSrv.Store(nil)
	x.settleSrvOut() // bytes_count.go
	if x.refused {
		s.settleBytes(be)
		s.endTracking() // refused to an HTTP/2 client: HAProxy logs nothing
		return false
	}
	s.awaitRequestEnd(&x.term)        // h2_body_end.go
	countDataAbort(be, x.srv, x.term) // body_abort.go
	s.emitLog(be, x.srv, x.status, x.term)
	return keep
}
