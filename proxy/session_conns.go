package proxy

import (
	"slices"
	"sync"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// DefaultSessionSrvConns is HAProxy's max-session-srv-conns default
// (MAX_SRV_LIST): how many idle server connections a client session
// keeps for itself.
const DefaultSessionSrvConns = 5

// privateConn holds the server connections a client session keeps for
// itself between its requests, those of http-reuse never backends, as
// HAProxy 2.6's session server list: grouped by server, the servers in
// the order the session first kept a connection to them, each server's
// connections in the order they were kept. Only max of them may wait
// idle (the frontend's max-session-srv-conns): a connection left idle
// beyond that is closed. A request takes its server's first matching
// connection (takeIdle); option prefer-last-server goes to the first
// server listed (prefer_last.go).
type privateConn struct {
	mu    sync.Mutex // an HTTP/2 connection's streams share their session's
	max   int        // max-session-srv-conns (set when the session starts)
	lists []heldList
	// h2 are the HTTP/2 server connections the session made under
	// never: they end with it, as HAProxy frees a session's own.
	h2 []*h2.ClientConn
}

// heldList is a server's connections in the session.
type heldList struct {
	srv   *server
	conns []*tconn
}

// idleCount is how many connections wait idle in the session.
func (p *privateConn) idleCountLocked() int {
	n := 0
	for _, l := range p.lists {
		n += len(l.conns)
	}
	return n
}

func (p *privateConn) close() {
	p.mu.Lock()
	lists, own := p.lists, p.h2
	p.lists, p.h2 = nil, nil
	p.mu.Unlock()
	for _, l := range lists {
		for _, c := range l.conns {
			c.Close()
		}
	}
	for _, cc := range own {
		cc.Drain()
	}
}

// own records an HTTP/2 server connection made for the session alone.
func (p *privateConn) own(cc *h2.ClientConn) {
	p.mu.Lock()
	p.h2 = append(p.h2, cc)
	p.mu.Unlock()
}

// take hands out the first of srv's connections made with sni for target,
// nil when none. Connections the server closed meanwhile are dropped on
// the way, as HAProxy drops them from its session when they close; an
// idle one is otherwise kept as long as the session lives, whatever its
// age (measured: HAProxy 2.6 reuses it after longer than timeout server).
// The server keeps its place in the list while a request uses its
// connection (HAProxy lists a connection in use too).
func (p *privateConn) take(srv *server, sni, target string) *tconn {
	p.mu.Lock()
	var tc *tconn
	var gone []*tconn
	for i := range p.lists {
		l := &p.lists[i]
		if l.srv != srv {
			continue
		}
		for j := 0; j < len(l.conns) && tc == nil; j++ {
			c := l.conns[j]
			switch {
			case peerClosed(c):
				gone = append(gone, c)
			case c.sni == sni && c.target == target:
				tc = c
			default:
				continue
			}
			l.conns = slices.Delete(l.conns, j, j+1)
			j--
		}
		break
	}
	p.mu.Unlock()
	for _, c := range gone {
		c.Close()
	}
	return tc
}

// keep adds sc, left idle by its request, to srv's connections, or closes
// it when max connections already wait idle. Servers whose connections
// all went elsewhere (closed while in use) leave the list first.
func (p *privateConn) keep(srv *server, sc *tconn) {
	p.mu.Lock()
	p.lists = slices.DeleteFunc(p.lists, func(l heldList) bool { return l.srv != srv && len(l.conns) == 0 })
	max := p.max
	if max == 0 {
		max = DefaultSessionSrvConns
	}
	if max < 0 || p.idleCountLocked() >= max {
		p.mu.Unlock()
		sc.Close()
		return
	}
	i := slices.IndexFunc(p.lists, func(l heldList) bool { return l.srv == srv })
	if i < 0 {
		p.lists = append(p.lists, heldList{srv: srv})
		i = len(p.lists) - 1
	}
	p.lists[i].conns = append(p.lists[i].conns, sc)
	p.mu.Unlock()
}

// firstHeld is the first server listed with a live idle connection that
// ok accepts (prefer_last.go), or nil. Connections the server closed do
// not count: HAProxy drops a connection from its session as soon as the
// server closes it.
func (p *privateConn) firstHeld(ok func(*server) bool) *server {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, l := range p.lists {
		if !ok(l.srv) {
			continue
		}
		for _, c := range l.conns {
			if !peerClosed(c) {
				return l.srv
			}
		}
	}
	return nil
}

// takeIdle is a kept-alive connection to srv for this client: the
// session's own under http-reuse never, else one from srv's pool; none
// for a WebSocket upgrade to a `ws h1` server.
func (c clientAddrs) takeIdle(srv *server, now time.Time, sni string, hello []byte) *tconn {
	if c.ws && srv.cfg.WSH1 {
		return nil // a WebSocket stream not in the server's protocol reuses nothing (srv_check_reuse_ws)
	}
	if !private(srv) || srv.h2 != nil {
		return srv.getIdle(now, sni, string(hello), srv.transparentKey(c.dst), c.owner, c.first)
	}
	if c.priv == nil {
		return nil
	}
	return c.priv.take(srv, sni, srv.transparentKey(c.dst))
}

// putIdle keeps sc for reuse: in the session under http-reuse never, else
// in srv's pool.
func (c clientAddrs) putIdle(srv *server, sc *tconn, now time.Time) (pooled bool) {
	if !private(srv) || sc.h2 != nil {
		return srv.putIdle(sc, now)
	}
	if c.priv == nil || srv.cfg.NoIdle { // pool-max-conn 0: not even for this session
		sc.Close()
		return false
	}
	c.priv.keep(srv, sc)
	return false
}
