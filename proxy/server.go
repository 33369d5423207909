package proxy

import (
	"net"
	"sync"
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

// dial opens a fresh connection to the server within the connect timeout.
// Its deadline state travels with it through the idle pool.
func (s *server) dial(timeout time.Duration) (*tconn, error) {
	d := net.Dialer{Timeout: timeout}
	c, err := d.Dial("tcp", s.cfg.Addr)
	if err != nil {
		return nil, err
	}
	tc := c.(*net.TCPConn)
	tc.SetNoDelay(true)
	return newTconn(tc, nil), nil
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

// connect picks a server and connects, applying `retries` and `option
// redispatch` the way HAProxy does: retry the same server after a connect
// failure, and with redispatch let the last retry go to another server.
// On success the server's slot is held: call b.release(srv) when done. It
// returns a nil server when every attempt failed or no server is usable (the
// caller answers 503).
func (b *backend) connect(req *balance.Request, connectTimeout time.Duration, tl *timeline, retries *int) (*server, *tconn, bool) {
	var srv *server
	for attempt := 0; attempt <= b.cfg.Retries; attempt++ {
		if srv == nil || (b.cfg.Redispatch && attempt == b.cfg.Retries && attempt > 0) {
			prev := srv
			if prev != nil {
				b.release(prev)
			}
			if srv = b.pick(req); srv == nil {
				return nil, nil, false
			}
			if tl.picked.IsZero() {
				tl.picked = time.Now()
			}
			// One clock reading serves the pick, the pool and, for a
			// pooled connection, the connect time (Tc = 0 then anyway).
			if prev != nil && prev != srv {
				b.stats.redispatches.Add(1)
				srv.stats.redispatches.Add(1)
			}
		}
		if attempt > 0 {
			*retries = attempt
			b.stats.retries.Add(1)
			srv.stats.retries.Add(1)
		}
		now := tl.picked
		if attempt > 0 {
			now = time.Now()
		}
		if c := srv.getIdle(now); c != nil {
			tl.connected = now
			return srv, c, true
		}
		c, err := srv.dial(connectTimeout)
		if err == nil {
			tl.connected = time.Now()
			return srv, c, false
		}
		srv.stats.connErrors.Add(1)
		b.stats.connErrors.Add(1)
		tl.failed = srv
		// HAProxy's turn-around timer: a refused connection is retried
		// after min(timeout connect, 1s), so a restarting server is not
		// hammered. A redispatched attempt goes elsewhere and does not wait.
		next := attempt + 1
		if next <= b.cfg.Retries && !isTimeout(err) && !(b.cfg.Redispatch && next == b.cfg.Retries) {
			time.Sleep(min(connectTimeout, time.Second))
		}
	}
	if srv != nil {
		b.release(srv)
	}
	return nil, nil, false
}
