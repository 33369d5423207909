package proxy

import (
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// maxIdlePerServer bounds each server's idle connection pool.
const maxIdlePerServer = 256

// idleMaxAge drops pooled connections older than this, like HAProxy's
// default pool-purge-delay of 5s: servers often close idle keep-alive
// connections after a few seconds.
const idleMaxAge = 5 * time.Second

type server struct {
	cfg   *Server
	bal   *balance.Server
	stats Counters
	// status is the admin and check state behind bal's Up and Weight
	// (server_status.go); guarded by Proxy.statusMu.
	status ServerStatus
	// addr and maxConn start as cfg's and change with `set server ...
	// addr` and `set maxconn server` (runtime_limits.go).
	addr    atomic.Pointer[string]
	maxConn atomic.Int64

	mu   sync.Mutex
	idle []idleConn // LIFO: the most recently used connection is the warmest
}

type idleConn struct {
	c     *tconn
	since time.Time
}

// getIdle pops the most recent idle connection, dropping expired ones.
func (s *server) getIdle(now time.Time) *tconn {
	s.mu.Lock()
	defer s.mu.Unlock()
	for n := len(s.idle); n > 0; n = len(s.idle) {
		ic := s.idle[n-1]
		s.idle = s.idle[:n-1]
		if now.Sub(ic.since) < idleMaxAge {
			return ic.c
		}
		ic.c.Close()
	}
	return nil
}

// putIdle returns a connection to the pool, or closes it when full.
func (s *server) putIdle(c *tconn, now time.Time) {
	if s.cfg.SendProxy != 0 {
		// Its PROXY header named one client: never reused for another
		// (HAProxy makes such connections private to their session).
		c.Close()
		return
	}
	s.mu.Lock()
	if len(s.idle) < maxIdlePerServer {
		s.idle = append(s.idle, idleConn{c, now})
		s.mu.Unlock()
		return
	}
	s.mu.Unlock()
	c.Close()
}

func (s *server) idleCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.idle)
}

func (s *server) closeIdle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, ic := range s.idle {
		ic.c.Close()
	}
	s.idle = nil
}

// dial opens a fresh connection to the server within the connect timeout,
// and sends hello first (the PROXY header of send-proxy servers): as with
// HAProxy, the connection is made only once hello is sent, so a failure
// to send it is a connect failure. Its deadline state travels with it
// through the idle pool.
func (s *server) dial(timeout time.Duration, hello []byte) (*tconn, error) {
	d := net.Dialer{Timeout: timeout}
	start := time.Now()
	c, err := d.Dial("tcp", s.address())
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	tc.SetNoDelay(true)
	t := newTconn(tc, nil)
	if hello != nil {
		left := time.Duration(0)
		if timeout > 0 {
			if left = timeout - time.Since(start); left <= 0 {
				left = time.Millisecond
			}
		}
		if _, err := t.write(hello, left); err != nil {
			tc.Close()
			return nil, err
		}
	}
	return t, nil
}

// findServer maps a balancer's pick back to our server.
func (b *backend) findServer(bs *balance.Server) *server {
	if bs == nil || bs.ID < 1 || bs.ID > len(b.servers) {
		return nil
	}
	return b.servers[bs.ID-1]
}

// pick chooses a server with a free maxconn slot and takes the slot.
// When every usable server is full the request waits in the backend queue
// for `timeout queue` (HAProxy falls back to `timeout connect`), then gives
// up with nil (503).
func (b *backend) pick(req *balance.Request) *server {
	var expire time.Time
	for {
		// Picks run under the backend lock so a balancer never reads a
		// server's Up/Weight while UpdateServer changes them.
		b.mu.Lock()
		srv := b.findServer(b.bal.Pick(req))
		b.mu.Unlock()
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
		b.stats.queue.Add(1)
		ok := b.queue.wait(left)
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
func (b *backend) connect(req *balance.Request, client clientAddrs, connectTimeout time.Duration, tl *timeline, rl *retryLog) (*server, *tconn, bool) {
	var srv, prev *server
	for failures := 0; ; {
		if srv == nil {
			if srv = b.pickAvoiding(req, prev); srv == nil {
				return nil, nil, false
			}
			// One clock reading serves the pick, the pool and, for a
			// pooled connection, the connect time (Tc = 0 then anyway).
			tl.picked = time.Now()
			if prev != nil && prev != srv {
				rl.redispatched = true
				b.stats.redispatches.Add(1)
				prev.stats.redispatches.Add(1)
			} else if prev != nil {
				b.stats.retries.Add(1)
				srv.stats.retries.Add(1)
			}
		}
		now := tl.picked
		if failures > 0 {
			now = time.Now()
		}
		if c := client.takeIdle(srv, now); c != nil {
			tl.connected = now
			return srv, c, true
		}
		c, err := srv.dial(connectTimeout, client.hello(srv))
		if err == nil {
			tl.connected = time.Now()
			return srv, c, false
		}
		tl.failed = srv
		failures++
		plan := decideRetry(b.retryFacts(srv, failures, !isTimeout(err)))
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
	for _, s := range b.servers {
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
// maps to avoid keeps it, as HAProxy's does (and so does `first`, which
// HAProxy would move past: a known difference).
func (b *backend) pickAvoiding(req *balance.Request, avoid *server) *server {
	srv := b.pick(req)
	for i := 0; srv != nil && srv == avoid && i < len(b.servers); i++ {
		// The slot on avoid is held while picking again: roundrobin
		// moves on, and leastconn sees avoid one connection busier.
		again := b.pick(req)
		b.release(srv)
		srv = again
	}
	return srv
}
