package proxy

import (
	"context"
	"errors"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/check"
)

// maxIdlePerServer bounds each server's idle connection pool without a
// global maxconn, and is the least bound with one (idleCap).
const maxIdlePerServer = 256

type server struct {
	cfg  *Server
	tlsc *tlsCounters // the proxy's (tls_stats.go)
	// id is HAProxy's server id (`show stat` sid, stick tables'
	// server_id): its position in the configuration, or the one `add
	// server` gave it.
	id    int
	bal   *balance.Server
	stats Counters
	// status is the admin and check state behind bal's Up and Weight
	// (server_status.go); guarded by Proxy.statusMu.
	status ServerStatus
	// warmGen tells a slow start's ticks from an earlier ramp's
	// (slowstart.go); guarded by Proxy.statusMu.
	warmGen uint64
	// warmSince is the Unix second its slow start began, 0 when not
	// starting: what its dynamic maxconn reads without the status lock.
	warmSince atomic.Int64
	// addr and maxConn start as cfg's and change with `set server ...
	// addr` and `set maxconn server` (runtime_limits.go).
	addr    atomic.Pointer[string]
	addrGen atomic.Uint64 // bumped with each new addr (tconn.addrGen)
	// cookie starts as cfg's and changes with the dynamic cookie
	// commands and addresses (dyncookie.go).
	cookie  atomic.Pointer[string]
	maxConn atomic.Int64

	// reuse is its backend's http-reuse (reuse.go).
	reuse ReuseMode
	// idleCap bounds its idle pool (idle_cap.go; 0: maxIdlePerServer).
	idleCap int
	// ka is its backend's srvtcpka (tcpka.go).
	ka *TCPKeepAlive
	// failedSrc: keep a failed connect's local address (failed_src.go).
	failedSrc bool
	mu        sync.Mutex
	idle      []idleConn // LIFO: the most recently used connection is the warmest
	need      idleNeed   // bounds idle (reuse.go)
	purge     purgeClock // runs purgeIdle while idle is not empty
	// waiting counts the requests waiting for a slot on this server in
	// particular (persistence, prefer-last-server): HAProxy's server
	// queue, which max-keep-alive-queue reads (prefer_last.go).
	waiting atomic.Int32
	// queueIdx counts the dequeues of those requests (waiter.pos).
	queueIdx atomic.Int64
	// unproven counts the idle connections not yet safe (idleConn.safe).
	unproven int
	// pending counts the connections putIdle took back whose requests
	// still hold their slots (in bal.Conns): unpend.
	pending int
	// sniConfs are its TLS client configurations per SNI (tls_server.go).
	sniConfs sniConfigs
	// h2 holds its HTTP/2 connections (nil: the server speaks HTTP/1.1).
	h2 *h2Pool
	// observer receives `observe`'s outcomes (server_observe.go); nil
	// without it.
	observer func(check.Analysis)
}

// errStale marks a reused server connection that the server had already
// closed: the request is replayed on a fresh connection when possible.
var errStale = errors.New("stale pooled connection")

// idleConn is a pooled connection; the pool keeps them oldest first.
type idleConn struct {
	c *tconn
	// safe: it has carried a request that was not its first (HAProxy's
	// safe list), so aggressive reuse hands it to first requests.
	safe bool
}

// getIdle pops the most recent idle connection a request may take under
// the server's http-reuse (owner's own HTTP/2 connections first; first:
// the session's first request), dropping expired ones. A TLS connection
// made with another SNI, or one that began with another PROXY header
// (hello), is left in the pool for a request that sends the same (HAProxy
// hashes both into its connection reuse key), and so is one a server
// following the client's destination made to another (target:
// transparentKey).
func (s *server) getIdle(now time.Time, sni, hello, target string, owner *session, first bool) *tconn {
	idleOK, safeOK := reuseAllowed(s.reuse, first)
	if s.h2 != nil {
		if c := s.h2.take(now, sni, hello, owner, s.reuse, safeOK); c != nil {
			return c
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// A later request looks among the unproven connections first, a
	// first one among the safe ones (HAProxy's reuse table).
	order := [2]bool{false, true} // safe?
	if first {
		order = [2]bool{true, false}
	}
	for _, wantSafe := range order {
		if wantSafe && !safeOK || !wantSafe && !idleOK {
			continue
		}
		if !wantSafe && s.unproven == 0 || wantSafe && s.unproven == len(s.idle) {
			// None of that kind: the scan would find nothing (once
			// warm, every idle connection is a safe one, and a
			// later request looks among the unproven ones first).
			continue
		}
		for i := len(s.idle) - 1; i >= 0; i-- {
			ic := s.idle[i]
			if ic.c.sni != sni || ic.c.hello != hello || ic.c.target != target || ic.safe != wantSafe {
				continue
			}
			s.idle = append(s.idle[:i], s.idle[i+1:]...)
			if !ic.safe {
				s.unproven--
			}
			return ic.c
		}
	}
	return nil
}

// purgeIdle is the pool's periodic purge (HAProxy's
// srv_cleanup_idle_conns): it closes the connections idleNeed.purge
// counts, those not yet proven safe first, the oldest first in each
// kind, and runs again one delay later while connections stay idle.
func (s *server) purgeIdle() {
	s.mu.Lock()
	s.purge.fired()
	kill := s.need.purge(int(s.bal.Conns.Load()), len(s.idle))
	var gone []*tconn
	for _, safe := range [2]bool{false, true} {
		kept := s.idle[:0]
		for _, ic := range s.idle {
			if ic.safe == safe && len(gone) < kill {
				gone = append(gone, ic.c)
				if !safe {
					s.unproven--
				}
				continue
			}
			kept = append(kept, ic)
		}
		clear(s.idle[len(kept):])
		s.idle = kept
	}
	if len(s.idle) > 0 {
		s.purge.arm(purgeDelay(s.cfg), s.purgeIdle)
	}
	s.mu.Unlock()
	for _, c := range gone {
		c.Close()
	}
}

// noteUsed records the connections in use once a request got one.
func (s *server) noteUsed() {
	s.mu.Lock()
	s.need.noteUsed(int(s.bal.Conns.Load()))
	s.mu.Unlock()
}

// putIdle returns a connection to the pool, or closes it when full. A
// plain connection's request keeps its slot until it calls unpend
// (pooled true).
func (s *server) putIdle(c *tconn, now time.Time) (pooled bool) {
	if c.h2 != nil {
		c.Close() // the stream ends; its connection stays in s.h2 (FastCGI: closes)
		if s.h2 != nil {
			s.h2.settle(now)
		}
		return false
	}
	if c.addrGen != s.addrGen.Load() {
		// dialled before `set server ... addr` moved the server: its
		// idle connections were closed then, this one goes too
		c.Close()
		return false
	}
	limit := s.idleCap
	if limit == 0 {
		limit = maxIdlePerServer
	}
	switch {
	case s.cfg.NoIdle || s.cfg.PurgeDelay < 0:
		limit = 0
	case s.cfg.IdleMax > 0:
		limit = min(limit, s.cfg.IdleMax)
	}
	c.served++
	s.mu.Lock()
	// The request just done still holds its slot: used counts its
	// connection, as HAProxy's curr_used_conns does at detach, and not
	// those of the requests that left theirs here and have not yet
	// released their slots (pending): counted twice, they made a burst
	// of ending streams close connections the estimate allows.
	used := int(s.bal.Conns.Load()) - s.pending
	s.pending++
	if len(s.idle) < limit && s.need.keep(used, len(s.idle)) {
		s.idle = append(s.idle, idleConn{c, c.served >= 2})
		if c.served < 2 {
			s.unproven++
		}
		if !s.purge.armed() {
			s.purge.arm(purgeDelay(s.cfg), s.purgeIdle)
		}
		s.mu.Unlock()
		return true
	}
	s.mu.Unlock()
	c.Close()
	return true
}

// unpend is a request that gave its connection back to putIdle
// releasing its slot (just before backend.release).
func (s *server) unpend() {
	s.mu.Lock()
	s.pending--
	s.mu.Unlock()
}

func (s *server) idleCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.idle)
}

func (s *server) closeIdle() {
	if s.h2 != nil {
		s.h2.retire()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ic := range s.idle {
		ic.c.Close()
	}
	s.idle, s.unproven = nil, 0
	s.purge.stop()
}

// dial opens a fresh connection to the server within the connect timeout,
// and sends hello first (the PROXY header of send-proxy servers): as with
// HAProxy, the connection is made only once hello is sent, so a failure
// to send it is a connect failure. Its deadline state travels with it
// through the idle pool.
//
// dst is the client's destination: a server following it (transparent.go)
// connects there, and its connection is reused only for the same one.
func (s *server) dial(timeout time.Duration, hello []byte, sni string, client clientAddrs) (*tconn, error) {
	d := net.Dialer{Timeout: timeout}
	s.ka.Dialer(&d)
	s.cfg.ServerSock.Dialer(&d)
	start := time.Now()
	gen := s.addrGen.Load() // before reading the address it stands for
	key := s.transparentKey(client.dst)
	addr := key
	if key == "" {
		addr = s.address()
	}
	var c net.Conn
	var err error
	release := func() {}
	var tap *failedSrcTap // bc_src after a failed connect (failed_src.go)
	if s.failedSrc {
		tap = &failedSrcTap{}
		d.Control = tap.control(d.Control)
	}
	tlsCounted := s.cfg.TLS != nil && s.tlsc != nil
	if tlsCounted && !s.tlsc.reserve() {
		return nil, errSSLTooMany // maxsslconn: not attempted (ssl_limits.go)
	}
	c, err = s.dialVia(s.cfg.ServerSock.WrapDial(func(ctx context.Context, network, addr string) (net.Conn, error) {
		if s.cfg.Source != nil {
			c, r, err := s.cfg.Source.Dial(ctx, d, network, addr, client.src, client.info)
			release = r
			return c, err
		}
		return d.DialContext(ctx, network, addr)
	}), start, timeout, addr) // socks4.go
	if tap != nil {
		client.info.noteServerTriedFrom(tap.failed(err))
	}
	if err != nil {
		if tlsCounted {
			s.tlsc.cur.Add(-1)
		}
		return nil, err
	}
	tc := c.(*net.TCPConn) // TCP_NODELAY: Go sets it on every connection it dials
	t := newSrvTconn(tc)
	t.release = release
	t.target = key
	t.addrGen = gen
	t.peer = s.socks4Peer(addr)
	t.hello = string(hello)
	if tlsCounted {
		s.tlsc.attach(t) // from the connect on, as HAProxy's server side
	}
	if hello != nil {
		left := time.Duration(0)
		if timeout > 0 {
			if left = timeout - time.Since(start); left <= 0 {
				left = time.Millisecond
			}
		}
		if _, err := t.write(hello, left); err != nil {
			t.Close()
			return nil, err
		}
	}
	if s.cfg.TLS != nil {
		if err := s.startTLS(t, sni, start, timeout); err != nil {
			t.Close()
			return nil, srvTLSError{err} // bc_err (bc_err.go)
		}
	}
	var ready time.Time // the server's SETTINGS come within the connect timeout
	if timeout > 0 {
		ready = start.Add(timeout)
	}
	if s.cfg.FCGI != nil {
		return newFCGIUpstream(t, s.cfg.FCGI), nil // fcgi_upstream.go
	}
	if client.ws && s.cfg.WSH1 {
		return t, nil // ws h1: HTTP/1.1 for the upgrade whatever proto says
	}
	if u, err := s.startH2(t, ready, client.owner); u != nil || err != nil {
		if err != nil {
			t.Close()
		}
		return u, err
	}
	return t, nil
}

// findServer maps a balancer's pick back to our server: the balancer's
// ID is the server's position in the list (add_server.go keeps it so).
func (b *backend) findServer(bs *balance.Server) *server {
	l := b.list()
	if bs == nil || bs.ID < 1 || bs.ID > len(l) {
		return nil
	}
	return l[bs.ID-1]
}

// pick chooses a server with a free maxconn slot and takes the slot.
// When every usable server is full the request waits in the backend queue
// for `timeout queue` (HAProxy falls back to `timeout connect`), then gives
// up with nil (503).
func (b *backend) pick(req *balance.Request, prio queuePrio, abort <-chan struct{}, qp *queuePos) *server {
	return b.takeSlot(req, nil, prio, abort, qp)
}

// takeSlot takes a maxconn slot on the balancer's pick for req, or on
// pinned (the server a persistence cookie designates) when set, waiting
// in the backend queue as pick describes, in the place prio gives it;
// closing abort (abortonclose: the client hung up) leaves the queue. qp
// adds up the request's queue positions, for its log line.
func (b *backend) takeSlot(req *balance.Request, pinned *server, prio queuePrio, abort <-chan struct{}, qp *queuePos) *server {
	var expire time.Time
	var key queueKey // set at the first wait, kept when woken to retry
	for {
		srv := pinned
		if srv == nil && b.dispatch != nil && b.dispatch.acquire() {
			return b.dispatch // dispatch mode: no balancing
		}
		if srv == nil {
			// Picks run under the backend lock so a balancer never reads a
			// server's Up/Weight while UpdateServer changes them.
			b.mu.Lock()
			srv = b.findServer(b.bal.Pick(req))
			b.mu.Unlock()
		}
		if srv != nil && srv.acquire() {
			return srv
		}
		if srv == nil && !b.anyUp() {
			return nil
		}
		qt := firstSet(b.cfg.Timeouts.Queue, b.cfg.Timeouts.Connect)
		if expire.IsZero() && qt > 0 {
			expire = time.Now().Add(qt)
		}
		if srv != nil && srv.cfg.MaxQueue > 0 && b.queue.len() >= srv.cfg.MaxQueue {
			return nil
		}
		left := time.Duration(0)
		if !expire.IsZero() {
			if left = time.Until(expire); left <= 0 {
				return nil
			}
		}
		if key == (queueKey{}) {
			key = prio.key(time.Now())
		}
		b.stats.queue.Add(1)
		if pinned != nil {
			pinned.waiting.Add(1)
		}
		b.queueWaits.Add(1)
		idx := &b.queue.idx
		if pinned != nil {
			idx = &pinned.queueIdx
		}
		ok, pos := b.queue.wait(left, key, abort, idx)
		if pinned != nil {
			pinned.waiting.Add(-1)
		}
		if qp != nil && pinned != nil {
			qp.srv += pos
		} else if qp != nil {
			qp.be += pos
		}
		b.stats.queue.Add(-1)
		if !ok {
			return nil
		}
	}
}

// retryLog is what a transaction's log line says of its connection
// attempts: %rc, prefixed with '+' once a retry went to another server.
type retryLog struct {
	n            int
	redispatched bool
}

// connect picks a server and connects, applying `retries`, `retry-on` and
// `option redispatch` as HAProxy 2.6 does (decideRetry). On success the
// server's slot is held: call b.release(srv) when done. It returns a nil
// server when every attempt failed or no server is usable (the caller
// answers 503). tl.picked is the last (re)assignment, as HAProxy's Tw/Tc.
//
// With a pin (a persistence cookie designating a server), the first
// attempt goes to that server without asking the balancer, and only
// `option redispatch` may move the request elsewhere (never under
// force-persist).
func (b *backend) connect(req *balance.Request, client clientAddrs, connectTimeout time.Duration, tl *timeline, rl *retryLog, pn *pin) (*server, *tconn, bool) {
	var srv, prev *server
	direct := pn != nil && pn.srv != nil
	prio := client.prio()
	fresh := tl.fresh // the request head's reading, once (clock_reads.go)
	tl.fresh = time.Time{}
	for failures := 0; ; {
		if srv == nil {
			waits := b.queueWaits.Load()
			if direct && prev == nil {
				srv = b.takeSlot(req, pn.srv, prio, tl.abort, &tl.queuePos)
			} else if last := b.lastServer(client, prev); last != nil {
				srv = b.takeSlot(req, last, prio, tl.abort, &tl.queuePos)
				if srv != nil {
					// not a balancer pick: HAProxy's lbtot leaves it out
					srv.stats.direct.Add(1)
				}
			} else {
				direct = false
				srv = b.pickAvoiding(req, prev, prio, tl.abort, &tl.queuePos)
			}
			if srv == nil {
				tl.noServer = !b.anyUp()
				return nil, nil, false
			}
			// One clock reading serves the pick, the pool and, for a
			// pooled connection, the connect time (Tc = 0 then anyway):
			// the request head's, when this first pick waited in no
			// queue (as HAProxy's picks take its poll loop's reading).
			tl.picked = fresh
			if fresh.IsZero() || prev != nil || b.queueWaits.Load() != waits {
				tl.picked = time.Now()
			}
			fresh = time.Time{}
			if prev != nil && prev != srv {
				if pn != nil && prev == pn.srv {
					pn.left = true
				}
				rl.redispatched = true
				b.stats.redispatches.Add(1)
				prev.stats.redispatches.Add(1)
			} else if prev != nil {
				b.stats.retries.Add(1)
				srv.stats.retries.Add(1)
			}
		}
		if client.redirectPath != "" && srv.cfg.Redir != "" {
			return srv, nil, false // the caller redirects (http_redir.go)
		}
		now := tl.picked
		if failures > 0 {
			now = time.Now()
		}
		sni, hello := client.sni(srv), client.hello(srv)
		if c := client.takeIdle(srv, now, sni, hello); c != nil {
			tl.connected = now
			srv.observe(check.AnaL4OK)
			srv.noteUsed()
			return srv, c, true
		}
		c, err := srv.dial(connectTimeout, hello, sni, client)
		if err == nil {
			tl.connected = time.Now()
			srv.observe(check.AnaL4OK)
			srv.noteUsed()
			return srv, c, false
		}
		if errors.Is(err, errSourceHeader) || errors.Is(err, errSSLTooMany) { // no connection, no retry
			tl.failed, tl.internal = srv, true
			b.release(srv)
			return nil, nil, false
		}
		// HAProxy counts each connection attempt in the server's stot and
		// session rate, one that fails too (measured: a dead server's
		// stot grows by 4 for one request with retries 3); the callers
		// count the attempt that succeeded.
		srv.stats.countSession()
		srv.observe(check.AnaL4Err)
		client.info.noteServerConnErr(err)                 // bc_err.go
		client.info.noteServerTried(srv.triedAddr(client)) // idem
		tl.failed, tl.failedTimeout = srv, isTimeout(err)
		failures++
		facts := b.retryFacts(srv, failures, !isTimeout(err))
		facts.Direct = direct
		facts.Persistent = pn != nil && pn.force
		plan := decideRetry(facts)
		if plan.GiveUp {
			// econ counts requests that could not connect, on the last
			// server tried, as HAProxy's failed_conns.
			srv.stats.connErrors.Add(1)
			b.stats.connErrors.Add(1)
			b.release(srv)
			return nil, nil, false
		}
		rl.n = failures
		if plan.Redispatch {
			b.release(srv)
			prev, srv = srv, nil
		} else {
			b.stats.retries.Add(1)
			srv.stats.retries.Add(1)
		}
		if plan.Wait {
			time.Sleep(turnaround(connectTimeout))
		}
	}
}

// retryFacts describes the backend's state after a failed attempt on srv.
func (b *backend) retryFacts(srv *server, failures int, refused bool) retryFacts {
	b.mu.Lock()
	active := 0
	for _, s := range b.list() {
		if s.bal.Up && s.bal.Weight > 0 && !s.bal.Backup {
			active++
		}
	}
	down := !srv.bal.Up
	b.mu.Unlock()
	return retryFacts{
		Retries: b.cfg.Retries, Failures: failures, ConnRetry: !b.cfg.NoConnRetry,
		Redispatch: b.cfg.Redispatch, RedispatchEvery: b.cfg.RedispatchEvery,
		ServerDown: down, ActiveServers: active, HashBalance: b.cfg.Balance.Hashed(),
		Refused: refused,
	}
}

// pickAvoiding picks a server other than avoid when another one is usable,
// as HAProxy's balancers do when they redispatch; a map-based hash that
// maps to avoid keeps it, as HAProxy's does, and `first` moves past it
// (balance.Request.Avoid).
func (b *backend) pickAvoiding(req *balance.Request, avoid *server, prio queuePrio, abort <-chan struct{}, qp *queuePos) *server {
	if req != nil && avoid != nil {
		req.Avoid = avoid.bal
		defer func() { req.Avoid = nil }()
	}
	srv := b.pick(req, prio, abort, qp)
	for i := 0; srv != nil && srv == avoid && i < len(b.list()); i++ {
		// The slot on avoid is held while picking again: roundrobin
		// moves on, and leastconn sees avoid one connection busier.
		again := b.pick(req, prio, abort, qp)
		b.release(srv)
		srv = again
	}
	return srv
}
