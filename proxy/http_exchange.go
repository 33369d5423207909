package proxy

import (
	"errors"
	"io"
	"time"

	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// exchange is one request/response round trip with a server.
type exchange struct {
	// resEdited: the http-response rules edited the head (resEdits);
	// rewriteFailed: a rewrite of its rules found no room in strict
	// mode (actions_strict.go).
	resEdited, rewriteFailed bool
	s                        *session
	be                       *backend
	srv                      *server
	sc                       *tconn
	reused                   bool
	serverClose              bool
	clientClose              bool

	sbuf []byte  // server-side buffer; sbuf[sstart:send] is unread
	sbp  *[]byte // sbuf's pooled buffer, nil until taken (server_buf.go)
	// pooled: the server connection went back to its server's pool
	// while the request still holds its slot (server.putIdle, unpend).
	pooled       bool
	sstart, send int
	awaited      bool // sbuf's bytes came with the request's write (write_await.go)
	// awaitUntil is when the wait for the answer that began with the
	// request's write ends (timeout server from then; zero: none began).
	awaitUntil time.Time

	status int     // status sent to the client (for the log)
	srvOut int64   // bytes out counted for srv as they went (bytes_count.go)
	term   [2]byte // termination state (for the log)

	// extra are the headers the proxy adds to the response after the
	// rules' (the persistence cookie's Set-Cookie, Cache-control).
	extra []http1.Header

	comp exchangeComp // compression chosen on the request (compress.go)
	// respWaitFailed: an http-response wait-for-body ran out of time
	// (res_body.go).
	respWaitFailed bool
	// busy: the reused connection was an HTTP/2 one whose streams were
	// all taken meanwhile (not a dead one).
	busy bool
	// refused: the client's HTTP/2 stream was refused instead of
	// answered (refuseStream); no log line.
	refused bool
	// wsKey is the Sec-WebSocket-Key made for the request (ws_key.go).
	wsKey string
	// h2TE: the response head is an HTTP/2 server's without length,
	// chunked by h2Upstream (h2_upstream_count.go).
	h2TE bool
}

func (x *exchange) run() bool {
	s, req := x.s, &x.s.req
	defer x.putSbuf() // taken when the answer comes (server_buf.go)
	defer func() {
		if x.sc != nil { // not handed back to the pool by finish
			x.sc.Close()
		}
	}()
	s.goesTo(x.srv, x.sc)
	s.info.streamConnected(&x.be.cfg.Timeouts, x.reused) // stream_figures.go

	// How much of the body is already buffered behind the head.
	s.start = req.HeadLen
	// An HTTP/2 client's body has an end-of-trailers block only after
	// trailers (h2_upstream_count.go).
	cs := http1.Dechunker{EOTOnlyWithTrailers: s.stream != nil}
	buffered, complete := 0, true
	avail := s.buf[s.start:s.end]
	x.chooseCompression()
	head := x.buildRequestHead()
	cs.Case = x.serverCase() // its trailers
	var body []byte          // what is buffered of the body, as it goes to the server
	switch {
	case req.Chunked:
		// A chunked body is re-framed (http1.Dechunker), right behind the
		// head in s.out.
		full, n, err := cs.Reframe(head, avail)
		if err != nil {
			s.sendParserError(400, x.be)
			return false
		}
		head, body = full[:len(head)], full[len(head):]
		s.out = full[:0]
		buffered, complete = n, cs.Done()
	case req.ContentLength > 0:
		buffered = int(min(int64(len(avail)), req.ContentLength))
		complete = int64(buffered) == req.ContentLength
		body = avail[:buffered]
	}
	// With "Expect: 100-continue" the body waits for the server's 100,
	// unless the client did not wait either and part of it is already here.
	sendBodyNow := !req.ExpectContinue || buffered > 0
	bodyConsumed := false // s.start already moved past the buffered body
	var err error
	wnow := s.tl.connected // the connection was just taken: no clock reading
	for {
		x.prepareUpstream()
		out := head
		if sendBodyNow {
			out = append(out, body...) // in place already when re-framed
			s.out = out[:0]
		}
		err = x.writeRequest(out, wnow, sendBodyNow && complete)
		wnow = time.Time{}
		if err == nil && sendBodyNow && !complete {
			s.start += buffered
			bodyConsumed = true
			err = x.streamRequestBody(&cs, req.ContentLength-int64(buffered))
			if err != nil {
				return false // client went away or sent a bad chunk (already answered)
			}
		}
		if err == nil && x.tcpResponse() { // tcp_response.go
			return false
		}
		if err == nil && !sendBodyNow {
			// A server that ignores Expect would wait for the body forever:
			// like curl, give it expectWait to answer, then send the body.
			err = x.readResponseHeadWithin(min(expectWait, firstSet(x.serverTimeout(), expectWait)))
			if isTimeout(err) && x.send == 0 {
				sendBodyNow = true
				err = x.serverWrite(body)
				s.start += buffered
				bodyConsumed = true
				if err == nil && !complete {
					if err = x.streamRequestBody(&cs, req.ContentLength-int64(buffered)); err != nil {
						return false
					}
				}
				if err == nil {
					err = x.readResponseHead()
				}
			}
		} else if err == nil {
			err = x.readResponseHead()
		}
		if err == errStale && x.reused && complete && !s.streamAborted() {
			// The pooled connection was dead, and its siblings probably
			// are too (server restarted): drop them and replay on a fresh
			// connection, through the normal connect path so retries and
			// redispatch apply if the server is gone for good.
			x.sc.Close()
			if !x.busy { // an HTTP/2 connection filled up meanwhile: nothing is dead
				x.srv.closeIdle()
			}
			x.sc = nil
			if c, derr := x.srv.dial(x.be.cfg.Timeouts.Connect, s.client().hello(x.srv), s.client().sni(x.srv), s.client()); derr == nil {
				x.sc, x.reused = c, false
			} else {
				x.be.release(x.srv)
				x.srv, x.sc, x.reused = x.be.connect(&s.breq, s.client(), x.be.cfg.Timeouts.Connect, &s.tl, &s.retries, &s.ck.pin)
				s.redispatched()
				if x.srv == nil {
					s.sendError(503, x.be, nil)
					x.status, x.term = s.sentStatus(503), s.afterFlag(term('S', 'C'))
					return false
				}
				x.srv.stats.countSession()
			}
			s.goesTo(x.srv, x.sc)
			s.info.streamConnected(&x.be.cfg.Timeouts, x.reused)
			continue
		}
		break
	}
	if sendBodyNow && !bodyConsumed {
		s.start += buffered
		bodyConsumed = true
	}
	if sendBodyNow {
		s.inBody = max(req.ContentLength, 0)
		if req.Chunked {
			s.inBody = cs.HTXSize()
		}
	}
	if err != nil {
		x.failResponse(err)
		// Like HAProxy, the client keeps its connection after a 502 or
		// 504 when its request was read whole.
		return sendBodyNow && !x.clientClose && !s.ownAnswerEnds()
	}
	// Interim responses: forward them; 100 Continue releases the body.
	resp := &s.resp
	for resp.Status < 200 && resp.Status != 101 {
		interim := x.buildInterimHead()
		s.uncounted += int64(len(interim)) - htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers)
		x.holdLastInterim()
		if err := s.clientWrite(interim); err != nil {
			return false
		}
		x.sstart += resp.HeadLen
		if resp.Status == 100 && !sendBodyNow {
			sendBodyNow = true
			err := x.serverWrite(body)
			s.start += buffered
			if err != nil {
				x.failResponse(err)
				return false
			}
			if !complete {
				if err = x.streamRequestBody(&cs, req.ContentLength-int64(buffered)); err != nil {
					return false
				}
			}
		}
		if err = x.readResponseHead(); err != nil {
			x.failResponse(err)
			// As after a failed first head, HAProxy keeps the client's
			// connection when its request was read whole.
			return sendBodyNow && !x.clientClose && !s.ownAnswerEnds()
		}
	}
	if !sendBodyNow {
		// Final answer without 100 Continue: the client may still send the
		// body we never read, so neither side can be reused.
		x.clientClose, x.serverClose = true, true
	}
	if resp.Status == 101 || x.connectAccepted() {
		return x.upgrade() // tunnel.go
	}
	return x.forwardResponse()
}

var errBadResponse = errors.New("invalid response")

// streamRequestBody copies the rest of the request body from the client:
// remain bytes for Content-Length, or up to the last chunk for chunked.
func (x *exchange) streamRequestBody(cs *http1.Dechunker, remain int64) error {
	s := x.s
	s.keepRequestLine() // s.buf takes the body now
	s.start, s.end = 0, 0
	clientTO := s.fe.cfg.Timeouts.Client
	for {
		limit := len(s.buf)
		if !s.req.Chunked && remain < int64(limit) {
			limit = int(remain)
		}
		now := time.Now()
		n, err := s.clientRead(s.buf[:limit], now, deadlineFrom(now, clientTO))
		if n > 0 {
			k, out := n, s.buf[:n]
			if s.req.Chunked {
				// The head is sent: s.out takes the re-framed chunks.
				var serr error
				if out, k, serr = cs.Reframe(s.out[:0], s.buf[:n]); serr != nil {
					s.captureBadChunk(s.buf[:n], serr, k, cs, x.be)
					s.sendParserError(400, x.be)
					x.status, x.term = 400, term('P', 'D')
					return serr
				}
				s.out = out[:0]
			} else {
				remain -= int64(n)
			}
			if _, werr := x.sc.write(out, x.serverTimeout()); werr != nil {
				x.failResponse(werr)
				return werr
			}
			if (s.req.Chunked && cs.Done()) || (!s.req.Chunked && remain == 0) {
				s.start, s.end = k, n // keep what follows: a pipelined request
				return nil
			}
		}
		if err != nil {
			x.term = term('C', 'D')
			if isTimeout(err) {
				x.term = term('c', 'D')
			}
			return err
		}
	}
}

// readResponseHead reads and parses the next response head into s.resp.
func (x *exchange) readResponseHead() error {
	err := x.readResponseHeadWithin(x.serverTimeout())
	if err == nil {
		x.s.info.stream.calls++ // stream_figures.go
	}
	if x.srv.observer != nil {
		switch {
		case err == nil:
			x.srv.observe(check.HTTPAnalysis(x.s.resp.Status))
		case err != errStale: // a reused connection the server had closed: tried again
			x.srv.observe(responseAnalysis(err, x.send))
		}
	}
	return err
}

func (x *exchange) readResponseHeadWithin(timeout time.Duration) error {
	x.takeSbuf()
	if x.sstart > 0 {
		x.send = copy(x.sbuf, x.sbuf[x.sstart:x.send])
		x.sstart = 0
	}
	var now, want time.Time
	if u := x.awaitUntil; !u.IsZero() {
		// The wait began with the write: its time counts (and the
		// clock is read only if a read must wait again).
		want, x.awaitUntil = u, time.Time{}
	} else {
		now = time.Now()
		want = deadlineFrom(now, timeout) // the whole head within the timeout
	}
	got := x.awaited
	x.awaited = false
	for {
		if x.send > 0 {
			x.s.resp.AcceptInvalid = x.be.cfg.AcceptInvalidResponse
			x.s.resp.MaxHeaders = x.s.p.lim.maxHeaders
			err := x.s.resp.Parse(x.sbuf[:x.send])
			if err == nil {
				x.stripH2TE() // h2_upstream_count.go
			}
			if err == nil && !x.respFitsHTX() {
				x.captureHTXOverflow() // head_limits.go
				return errRefusedResponse
			}
			if err == nil {
				if x.s.resp.AcceptInvalid && x.s.resp.LaxErrPos >= 0 {
					x.captureAcceptedResponse() // errsnap.go
				}
				x.s.tl.respHead = time.Now()
				return nil
			}
			if err != http1.ErrIncomplete || x.send >= x.s.p.lim.headLimit {
				if e, ok := err.(*http1.Error); ok {
					x.captureBadResponse(x.sbuf[:x.send], e, nil)
					return errRefusedResponse
				}
				return errBadResponse
			}
		}
		n, err := x.sc.readUntil(x.sbuf[x.send:x.s.p.lim.headLimit], now, want)
		now = time.Time{}
		x.send += n
		got = got || n > 0
		if err != nil && n == 0 {
			if !got && x.reused && !isTimeout(err) && (x.sc.h2 == nil || h2Stale(err)) {
				return errStale
			}
			if isTimeout(err) || (x.sc.h2 != nil && (errors.Is(err, h2.ErrReset) || errors.Is(err, h2.ErrMalformedHead))) {
				return err // an HTTP/2 server's: failResponse tells them apart
			}
			return errBadResponse
		}
	}
}

// forwardResponse sends the final response head and body to the client.
func (x *exchange) forwardResponse() bool {
	s, resp := x.s, &x.s.resp
	kind := resp.Body(s.sentMethodIs("HEAD"))
	if kind == http1.BodyUntilClose || s.p.closeOnStop() {
		x.clientClose = true // soft stop: the last response says close
	}
	s.info.resp, s.info.respConn = resp, x.sc // what the http-response rules' fetches read
	captureHeaders(&s.info.resCaps, s.fe.cfg.ResCaptures, resp.Headers)
	// HAProxy counts the response as received, before its rules.
	counted := htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers) + x.fcgiCounted()
	x.stickStore()
	compress := x.comp.algo != "" &&
		respCompressible(&x.comp.plan, s.req.Minor == 1 && resp.Minor == 1, s.sentMethodIs("HEAD"), resp.Status,
			kind == http1.BodyChunked || (kind == http1.BodyLength && resp.ContentLength > 0), resp.Headers) &&
		!s.p.comp.over() // maxcomprate (comp_rate.go)
	x.noteResBody()
	s.info.compAlgo = ""
	if compress {
		s.info.compAlgo = x.comp.algo
	}
	if r := x.runResponseRules(); r != nil {
		x.countDropped(counted, kind)
		return x.answerResponseRule(r)
	}
	if x.rewriteFailed {
		x.countDropped(counted, kind)
		return x.failResponseRewrite() // actions_strict.go
	}
	if x.respWaitFailed {
		// HAProxy's http_reply_and_close: 504, connection: close.
		x.status, x.term = 504, term('s', 'D')
		s.fe.stats.countStatus(504)
		x.srv.stats.countStatus(504)
		s.after.be = x.be                              // its http-after-response rules first
		s.out = s.appendErrorPage(s.out[:0], 504, nil) // no http-response rules: they were running
		x.status = s.afterStatus(504)
		s.clientWriteMessage(s.out)
		return false
	}
	x.responseCookies()
	if x.be.cfg.CheckCache && x.cacheableCookie() { // check_cache.go
		x.countDropped(counted, kind)
		return x.blockCacheableCookie()
	}
	if !x.afterResponse() { // after_response.go
		x.countDropped(counted, kind)
		return x.failResponseRewrite()
	}
	asapHead := x.asapHeadSize() // option logasap (log_asap.go)
	if compress {
		x.compressedHead(kind == http1.BodyChunked)
	}
	head := x.buildResponseHead()
	s.uncounted += int64(len(head)) - counted
	x.sstart += resp.HeadLen
	x.noteH2Framing() // h2_upstream_count.go
	if compress {
		x.countResponse(resp.Status)
		s.logASAP(x.be, x.srv, resp.Status, asapHead+asapBodySize(x.sbuf[x.sstart:x.send], kind, resp.ContentLength), s.tl.respHead)
		return x.forwardCompressed(head, kind, resp.ContentLength)
	}
	rest := x.sbuf[x.sstart:x.send]
	cs := x.responseDechunker() // its trailers
	done, k := false, 0
	var w []byte // the head and what is buffered of the body
	switch kind {
	case http1.BodyNone:
		done = true
	case http1.BodyLength:
		k = int(min(int64(len(rest)), resp.ContentLength))
		done = int64(k) == resp.ContentLength
	case http1.BodyChunked:
		var err error
		if w, k, err = cs.Reframe(head, rest); err != nil {
			x.captureBadChunk(x.sbuf[:x.send], err, x.sstart+k, &cs)
			x.failResponse(errBadResponse) // nothing was sent yet
			return !x.clientClose
		}
		s.uncounted += int64(len(w)-len(head)) - cs.HTXSize() // the chunk framing
		done = cs.Done()
	case http1.BodyUntilClose:
		k = len(rest)
	}
	x.countResponse(resp.Status)
	x.storeFirst(kind, rest[:k], w, len(head)) // cache_store.go
	x.logASAPForward(asapHead, kind, k, &cs)
	// One write for the head and what is buffered of the body; keep the
	// grown slice so the next response does not allocate again.
	if w == nil {
		w = append(head, rest[:k]...)
	}
	s.out = w[:0]
	if err := s.clientWriteAt(w, s.tl.respHead); err != nil { // the head was just parsed
		x.term = term('C', 'D')
		return false
	}
	x.sstart += k
	x.addSrvOut(int64(len(w)))
	if !done {
		var err error
		switch kind {
		case http1.BodyLength:
			err = x.copyBody(resp.ContentLength - int64(k))
		case http1.BodyChunked:
			err = x.copyChunked(&cs)
		case http1.BodyUntilClose:
			err = x.copyBody(-1)
		}
		if err != nil {
			x.term = bodyFailTerm(x.sc, err) // body_abort.go
			if x.term[0] == 's' {
				x.sc.reset() // HAProxy resets a server whose body stalls (measured)
			}
			return false
		}
	}
	x.storeDone() // the whole body went through (cache_store.go)
	return x.finish(kind, x.sstart < x.send)
}

func (x *exchange) finish(kind http1.BodyKind, leftover bool) bool {
	keepServer := !x.serverClose && x.s.resp.KeepAlive() && kind != http1.BodyUntilClose && !leftover
	if keepServer {
		// Handed back by run's deferred cleanup through putIdle.
		x.pooled = x.s.client().putIdle(x.srv, x.sc, x.s.tl.respHead) // the pool's age check is coarse
		x.sc = nil
	}
	return !x.clientClose
}

// bodySpliceMin is the body remainder from which `option splice-auto`
// splices a response body: past one buffer the body streams, and splice(2)
// moves it with two calls per pipe (64 KiB) and no copy through user space.
// Smaller remainders go through the server buffer (one read, one write, no
// pipe to take and give back).
//
// Without a splice option nothing is spliced, as in HAProxy: the copy
// counts bytes out as they go (`show stat` follows a long download) and
// applies `timeout server`/`timeout client` to each read and write, where a
// spliced run counts at its end and re-arms its deadlines only between
// runs (a stalled transfer is then noticed after up to twice the timeout).
const bodySpliceMin = bufSize + 1

// copyBody sends n more response bytes (n < 0: until the server closes) to
// the client. `timeout server` and `timeout client` are inactivity
// timeouts, applied per read and per write.
func (x *exchange) copyBody(n int64) error {
	s := x.s
	_, down := spliceModes(s.p.cfg.NoSplice || !s.c.plain() || !x.sc.plain(), s.fe.cfg.Splice, x.be.cfg.Splice)
	if x.s.info.cache.store == nil && (down == spliceAlways || (down == spliceAuto && (n < 0 || n >= bodySpliceMin))) {
		return x.spliceN(n)
	}
	x.sstart, x.send = 0, 0
	buf := x.sbuf
	if n < 0 || n > int64(len(buf)) {
		// A body that streams past one buffer moves in runs of up to
		// streamBufSize: a quarter of the system calls of 16 KiB runs.
		// Taken for this body only, so idle connections hold none.
		big := getStreamBuf()
		defer putStreamBuf(big)
		buf = *big
	}
	for n != 0 {
		p := buf
		if n > 0 && n < int64(len(p)) {
			p = p[:n]
		}
		m, err := x.sc.read(p, x.serverTimeout())
		if m > 0 {
			x.storeBody(p[:m], false)
			if werr := s.clientWrite(p[:m]); werr != nil {
				return werr
			}
			x.addSrvOut(int64(m))
			if n > 0 {
				n -= int64(m)
			}
		}
		if err != nil {
			if n < 0 && err == io.EOF {
				return nil
			}
			return err
		}
	}
	return nil
}

// copyChunked relays a chunked body, validating it on the way.
func (x *exchange) copyChunked(cs *http1.Dechunker) error {
	s := x.s
	x.sstart, x.send = 0, 0
	for !cs.Done() {
		n, err := x.sc.read(x.sbuf, x.serverTimeout())
		if n > 0 {
			// The head is sent: s.out takes the re-framed chunks.
			before := cs.HTXSize()
			out, k, serr := cs.Reframe(s.out[:0], x.sbuf[:n])
			if serr != nil {
				x.captureBadChunk(x.sbuf[:n], serr, k, cs)
				return serr
			}
			s.uncounted += int64(len(out)) - (cs.HTXSize() - before)
			s.out = out[:0]
			x.storeBody(out, true)
			if werr := s.clientWrite(out); werr != nil {
				return werr
			}
			x.addSrvOut(int64(len(out)))
			x.sstart, x.send = k, n
		}
		if err != nil && !cs.Done() {
			return err
		}
	}
	return nil
}
