package proxy

import (
	"net/netip"
	"time"
)

// LogEntry is what the data path knows about one HTTP transaction (or one
// TCP session) when it ends: the raw material of HAProxy's httplog/tcplog
// line. proxy/logfmt (or the integrator) formats it. Durations are -1 when
// the step was never reached, as HAProxy prints them.
type LogEntry struct {
	Client   netip.AddrPort
	Accept   time.Time // when the connection was accepted
	Start    time.Time // when waiting for this request began (%tr base)
	Frontend string
	Backend  string // "" when none was chosen (HAProxy prints the frontend name)
	Server   string // "" when no server was reached (HAProxy prints <NOSRV>)
	TCP      bool   // a tcp-mode session, not an HTTP transaction

	Idle    time.Duration // %Ti: keep-alive wait before the first byte
	TR      time.Duration // %TR: first byte to complete request head
	Tw      time.Duration // %Tw: time in queues
	Tc      time.Duration // %Tc: connect time
	Tr      time.Duration // %Tr: server response head time
	Ta      time.Duration // %Ta (%Tt for TCP): total active time
	Status  int           // %ST, 0 when no response (TCP, or aborted)
	Bytes   int64         // %B: bytes sent to the client
	BytesIn int64         // %U: bytes received from the client
	Retries int           // %rc
	Term    [2]byte       // %ts: termination state, e.g. "--", "SC", "cR"
	Method  []byte        // request line parts (nil for TCP); valid only during the call
	Target  []byte
	Minor   int
	Version []byte // the version as received, which HAProxy logs (nil = HTTP/1.<Minor>)
	// URILen is tune.http.logurilen plus one (0: HAProxy's 1024): the
	// request line the log keeps is one byte shorter.
	URILen   int
	NullConn bool // the client sent nothing at all (`option dontlognull`)

	// Connection counts at log time: %ac/%fc/%bc/%sc, and the request's
	// queue positions %sq/%bq (timeline.queuePos).
	ActConn, FeConn, BeConn, SrvConn int64
	SrvQueue, BeQueue                int64

	// Redispatched: a retry went to another server (%rc gets a '+').
	Redispatched bool

	// SSLVersion and SSLCipher are the client connection's TLS protocol
	// and cipher in OpenSSL's names (%sslv, %sslc); "" in clear text.
	SSLVersion, SSLCipher string
	// SSLBind: the client came in on an ssl bind (%ft adds '~').
	SSLBind bool
	// SessLog: HAProxy logs this line with its session, no stream (a
	// request its HTTP/1 parser refused, or none at all): error-log-format
	// applies, its %[...] samples in ErrSamples. Embryonic: a connection
	// that failed before its session began (a TLS handshake, a PROXY
	// header), or an HTTP/2 stream whose head the H2 mux refused: no
	// transaction (%ST 0), and Handshake is its %Th.
	SessLog, Embryonic bool
	ErrSamples         []string
	Handshake          time.Duration

	// Cookie is the persistence cookie's two %tsc characters (what the
	// request's cookie told, what became of the response's); zero when
	// the backend logs none ("--").
	Cookie [2]byte
	// ReqCaptures and ResCaptures are the captured values, one per
	// capture slot of the frontend (%hr, %hs); the bits of ReqCaptured
	// and ResCaptured say which slots hold one (%hrl prints "-" for the
	// others).
	ReqCaptures, ResCaptures []string
	ReqCaptured, ResCaptured uint64

	// FrontAddr is the address the client connected to (%fi, %fp);
	// ReqCounter numbers the transaction among the process's (%rt);
	// UniqueID is the transaction's unique-id (%ID, "" for none).
	FrontAddr  netip.AddrPort
	ReqCounter int64
	UniqueID   string

	// Samples are the values of the frontend's log-format %[...]
	// samples (Frontend.LogSamples), in order; "" for no value.
	Samples []string

	// CookieReq and CookieRsp are what `capture cookie` captured (%CC,
	// %CS; "" for none).
	CookieReq, CookieRsp string
	// LogLevel is set-log-level's choice: 0 none, -1 silent (no line),
	// else the level plus one.
	LogLevel int8
	// ASAP: the frontend has `option logasap`; %Ta, %Tt and %B are
	// printed with a leading '+' (on every line, early or not).
	ASAP bool
}

// LogFunc receives each finished transaction. It runs on the connection's
// goroutine and must not keep e or its slices after returning.
type LogFunc func(e *LogEntry)

func term(a, b byte) [2]byte { return [2]byte{a, b} }

// since returns the duration from t0 to t1, or -1 when either is unset.
func since(t0, t1 time.Time) time.Duration {
	if t0.IsZero() || t1.IsZero() {
		return -1
	}
	return t1.Sub(t0)
}

// tcpTw is a TCP stream's %Tw, HAProxy's t_queue - t_request: with no
// request time (t_request -1), one more than the whole milliseconds from
// the accept to the server's assignment. Measured on 2.6.12: 1 for a
// connection that waited in no queue and for a connect failure (SC), a
// queued one's wait plus 1, where goha logged 0 and the wait.
func tcpTw(tl *timeline) time.Duration {
	w := since(tl.start, tl.picked)
	if w < 0 {
		return w
	}
	return w.Truncate(time.Millisecond) + time.Millisecond
}

// timeline collects the instants of one transaction.
type timeline struct {
	start, firstByte, head, picked, connected, respHead, end time.Time
	// fresh is the request head's reading while nothing waited since
	// (sessionClock.fresh), for connect's first pick; connect clears it.
	fresh time.Time
	// failed is the last server a connect attempt failed on: HAProxy's
	// log names it (servers/web1 ... SC--) when no attempt succeeded.
	failed *server
	// failedTimeout: that last attempt timed out (logged sC, not SC).
	failedTimeout bool
	// noServer: the backend had no usable server (logged SC, not sQ).
	noServer bool
	// internal: the connection could not be set up at all (usesrc
	// hdr_ip without its header, maxsslconn reached): 500, logged IC.
	internal bool
	// aborted: the request ended on HAProxy's abort path (reject,
	// silent-drop, content reject) or was tarpitted: logged with no
	// request time (TR -1).
	aborted bool
	// noRequest: the request ended before HAProxy's HTTP analysers saw
	// it (tcp-request content reject): logged as <BADREQ>.
	noRequest bool
	// sessLog: HAProxy's HTTP/1 parser ended the connection before a
	// stream began (LogEntry.SessLog).
	sessLog bool
	// outSettled: the byte counters took this transaction's figures
	// (settleBytes).
	outSettled bool
	// tunnelIn: the bytes the client sent through the transaction's
	// tunnel (101, CONNECT), counted as they are (bytes_count.go).
	tunnelIn int64
	// noTxn: HAProxy's H2 mux refused the stream's head (its HTX form
	// too large): no transaction, logged %ST 0 (LogEntry.Embryonic).
	noTxn bool
	// logLevel is the transaction's set-log-level (LogEntry.LogLevel).
	logLevel int8
	// serverTimeout and tunnelTimeout are the transaction's set-timeout
	// server and tunnel (0: the backend's); see exchange.serverTimeout.
	serverTimeout, tunnelTimeout time.Duration
	// abort, when set, is closed once the client hung up while the
	// session waits in a queue (option abortonclose, TCP mode).
	abort <-chan struct{}
	// queuePos is the transaction's queue positions (%sq, %bq).
	queuePos queuePos
	// logged: option logasap already logged the transaction (logASAP);
	// its end writes no second line.
	logged bool
}

// emitSessLog logs what HAProxy's HTTP/1 parser refuses before a stream
// begins: HAProxy logs it with the session (sess_log), no stream.
func (s *session) emitSessLog(status int, t [2]byte) {
	s.tl.sessLog = true
	if s.upgradedFirst() { // switchmode.go: logged with no status (%ST 0)
		status, s.tl.noTxn = 0, true
	}
	s.emitLog(nil, nil, status, t)
}

// emitLog ends the transaction and logs it, unless option logasap did.
func (s *session) emitLog(be *backend, srv *server, status int, t [2]byte) {
	// the request's stream ends here, logged or not: its bytes counted on
	// its tracked entries before the line, which may read them, and the
	// entries released after it (track.go)
	s.countTrackedBytes()
	defer s.releaseTracked()
	s.settleBytes(be) // bytes_count.go
	if !s.fe.logs || s.tl.logged {
		return
	}
	s.tl.end = time.Now()
	s.writeLog(be, srv, status, t, s.bytesOut(), false)
}

// logASAP is option logasap: HAProxy logs an HTTP transaction once its
// response head passed the http-response rules (end = the response head,
// bytes = the HTX size received so far) and a TCP session once its server
// connection is up (end = the connect, bytes = 0); the end logs nothing
// more. Without the option it does nothing.
func (s *session) logASAP(be *backend, srv *server, status int, bytes int64, end time.Time) {
	if !s.fe.cfg.LogASAP || !s.fe.logs || s.tl.logged {
		return
	}
	s.tl.end = end
	s.writeLog(be, srv, status, term('-', '-'), bytes, true)
	s.tl.logged = true
}

// writeLog hands the transaction's line to Options.Log, with bytes as %B
// and s.tl.end as its end. An early line (logasap) says %U 0 unless the
// frontend has option contstats: HAProxy's bytes_in is brought up to date
// by stream_process_counters, which runs on each pass of the stream with
// contstats and otherwise only when the stream ends.
func (s *session) writeLog(be *backend, srv *server, status int, t [2]byte, bytes int64, early bool) {
	log := s.p.opt.Log
	tl := &s.tl
	e := &s.le
	*e = LogEntry{
		Client: s.src, Accept: s.accepted, Start: tl.start, Frontend: s.fe.cfg.Name,
		TCP: s.tcpStream(), Status: status, Bytes: bytes, BytesIn: s.received, ASAP: s.fe.cfg.LogASAP,
		Retries: s.retries.n, Redispatched: s.retries.redispatched, Term: t,
		// HAProxy's early line (sess_establish, logasap) skips the
		// dontlognull test its end-of-stream log makes
		NullConn: s.received == 0 && !early,
		Idle:     since(tl.start, tl.firstByte), TR: since(tl.firstByte, tl.head),
		Tw: since(tl.head, tl.picked), Tc: since(tl.picked, tl.connected),
		Tr: since(tl.connected, tl.respHead), Ta: since(tl.firstByte, tl.end),
		ActConn: s.p.actConn.Load(), FeConn: s.fe.stats.curSessions.Load(), URILen: s.p.cfg.LogURILen,
	}
	if s.inHead > 0 {
		// a tunnel's bytes from the client too (101, CONNECT), as
		// HAProxy counts them: TestTunnelBytesMatchHAProxy
		e.BytesIn = s.inHead + s.inBody + tl.tunnelIn
	}
	if early && !s.fe.cfg.ContStats {
		e.BytesIn = 0
	}
	if tl.aborted {
		e.TR = -1
	}
	e.LogLevel = tl.logLevel
	e.FrontAddr, e.ReqCounter = s.dst, s.reqID
	if !e.TCP && !tl.sessLog { // no stream, no unique-id (measured: "-")
		e.UniqueID = s.uniqueIDAtLog()
	}
	if !e.TCP {
		e.ReqCaptures, e.ReqCaptured = s.info.reqCaps.vals, s.info.reqCaps.set
		e.CookieReq, e.CookieRsp = s.ck.capReq, s.ck.capRsp
		e.ResCaptures, e.ResCaptured = s.info.resCaps.vals, s.info.resCaps.set
	}
	if fs := s.fe.cfg.LogSamples; len(fs) > 0 {
		s.info.endRequest()
		if e.TCP && !early {
			s.info.streamEnded() // stream_figures.go
		}
		s.samples = s.samples[:0]
		for _, f := range fs {
			v, _ := f(&s.info)
			s.samples = append(s.samples, v)
		}
		e.Samples = s.samples
	}
	if s.tlsState != nil {
		e.SSLVersion, e.SSLCipher = s.tlsNames()
	}
	e.SSLBind = s.info.SSLFront
	if s.tl.sessLog {
		// No stream: HAProxy's line counts no bytes and shows no
		// captures, and takes a request number of its own after an
		// earlier request on the connection (measured).
		e.SessLog, e.Embryonic = true, s.tl.noTxn
		if t[0] == 'P' {
			// a refused head: the parser had bytes, pipelined ones
			// included, so dontlognull keeps it as HAProxy does
			e.NullConn = false
		}
		e.Bytes, e.BytesIn = 0, 0
		e.ReqCaptures, e.ReqCaptured, e.ResCaptures, e.ResCaptured = nil, 0, nil, 0
		e.CookieReq, e.CookieRsp = "", ""
		if s.info.RequestNum > 0 {
			s.reqID = reqCounter.Add(1) - 1
			e.ReqCounter = s.reqID
		}
		e.ErrSamples = s.errSamples(s.info.ConnErr)
	}
	if s.ck.logged {
		e.Cookie = s.cookieChars()
	}
	if e.TCP {
		e.Tw, e.Tc, e.Ta = tcpTw(tl), since(tl.picked, tl.connected), since(tl.start, tl.end)
	} else if s.req.Method != nil && !tl.head.IsZero() && !tl.noRequest { // a head was parsed in this transaction (pipelined ones too)
		e.Method, e.Target, e.Minor, e.Version = s.req.Method, s.req.Target, s.req.Minor, s.req.Version
		if s.stream != nil {
			// HAProxy logs an HTTP/2 request's absolute target (its version,
			// HTTP/2.0, is in s.req.Version).
			// The method is the stream's own: s.buf may hold body bytes now.
			e.Method = []byte(streamMethod(&s.stream.Req)) // h2_tunnel.go
			e.Target = logTarget(&s.stream.Req)
		}
	}
	if be == nil && s.upgradedByBackend() && s.upgradedFirst() && s.req.Method != nil && !tl.head.IsZero() && !tl.noRequest {
		// the backend that upgraded the connection's first stream was
		// set before the frontend's rules answered its request (a
		// request refused unparsed is the H1 mux's: no backend)
		be = s.upgradingBackend()
	}
	if be != nil {
		e.Backend = be.cfg.Name
		e.BeConn = beConnLogged(s, be, early)
		e.SrvQueue, e.BeQueue = tl.queuePos.srv, tl.queuePos.be
	}
	if s.applet != nil {
		// HAProxy's stream keeps the frontend as its backend and names
		// the applet as the server: "prom prom/<PROMEX>".
		// (a backend's stats page: that backend)
		e.Backend, e.Server = s.fe.cfg.Name, s.applet.LogName()
		if s.appletBe != nil {
			e.Backend = s.appletBe.cfg.Name
		}
	} else if srv != nil {
		e.Server = srv.cfg.Name
		e.SrvConn = srv.bal.Conns.Load()
	} else if tl.failed != nil && (t == term('S', 'C') || t == term('s', 'C') || t == term('P', 'C') || t == term('I', 'C')) && be != nil {
		// (PC: its 503 page replaced by the 500 page, after_page_fail.go)
		e.Server = tl.failed.cfg.Name
		if t == term('I', 'C') {
			// never connected, the server's other connections stand
			// (measured under maxsslconn in TCP mode: srv_conn 1)
			e.SrvConn = tl.failed.bal.Conns.Load()
		}
	}
	log(e)
}

// keepRequestLine copies the request's method, target and version out
// of s.buf before a streamed body overwrites it: the log line reads them
// at the end of the transaction.
func (s *session) keepRequestLine() {
	if s.req.Method == nil {
		return
	}
	n, m := len(s.req.Method), len(s.req.Method)+len(s.req.Target)
	s.lineCopy = append(append(append(s.lineCopy[:0], s.req.Method...), s.req.Target...), s.req.Version...)
	s.req.Method, s.req.Target = s.lineCopy[:n:n], s.lineCopy[n:m:m]
	if s.req.Version != nil {
		s.req.Version = s.lineCopy[m:]
	}
}

// beConnLogged is %bc: HAProxy's beconn, the streams assigned to the
// backend (be_conn) and those a mode mismatch left counted
// (mode_mismatch.go). HAProxy takes the stream's own count back before
// its end-of-stream line and not before an early one (logasap,
// sess_establish): measured, three overlapping requests log 2, 1, 0.
func beConnLogged(s *session, be *backend, early bool) int64 {
	n := be.conns.Load() + be.stats.curSessions.Load()
	if s.beCounted == be {
		n--
	}
	if early {
		n++
	}
	return n
}

// leaveBackend ends the session's stream's count in be's be_conn.
func (s *session) leaveBackend(be *backend) {
	be.conns.Add(-1)
	s.beCounted = nil
}
