package proxy

import (
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// limitOf is a configured maxconn as a limiter's limit: 0 (unset) is none.
func limitOf(maxconn int) int {
	if maxconn <= 0 {
		return -1
	}
	return maxconn
}

// SetGlobalMaxconn is `set maxconn global N`: from now on at most n
// connections are served at once (n > 0).
func (p *Proxy) SetGlobalMaxconn(n int) { p.global.setLimit(limitOf(n)) }

// GlobalMaxconn is the current global maxconn (0: none).
func (p *Proxy) GlobalMaxconn() int { return max(p.global.getLimit(), 0) }

// SetFrontendMaxconn is `set maxconn frontend F N`: beyond n open
// connections the frontend's listeners stop accepting (0: none more is
// accepted, as HAProxy does).
func (p *Proxy) SetFrontendMaxconn(name string, n int) error {
	for _, f := range p.frontends {
		if f.cfg.Name == name {
			f.slots.setLimit(n)
			return nil
		}
	}
	return fmt.Errorf("proxy: no frontend %q", name)
}

// FrontendMaxconn is a frontend's current maxconn; ok is false when it
// has none (neither configured nor set).
func (p *Proxy) FrontendMaxconn(name string) (n int, ok bool) {
	for _, f := range p.frontends {
		if f.cfg.Name == name {
			n = f.slots.getLimit()
			return n, n >= 0
		}
	}
	return 0, false
}

// SetServerMaxconn is `set maxconn server B/S N`: the server takes at
// most n requests at once, the others wait in the backend queue (n <= 0:
// no limit). Raising it serves the queue at once.
func (p *Proxy) SetServerMaxconn(backend, server string, n int) error {
	b, srv := p.backends[backend], p.findServer(backend, server)
	if srv == nil {
		return fmt.Errorf("proxy: no server %s/%s", backend, server)
	}
	srv.maxConn.Store(int64(n))
	b.mu.Lock()
	srv.bal.MaxConn = int64(max(n, 0))
	b.mu.Unlock()
	for i := b.queue.len(); i > 0; i-- {
		b.queue.signal() // each waiter tries its pick again
	}
	return nil
}

// SetServerAddr is `set server B/S addr`: new connections go to ip:port;
// idle connections to the old address are closed (HAProxy cleans them up
// too), connections in use finish where they are.
func (p *Proxy) SetServerAddr(backend, server string, ip netip.Addr, port int) error {
	srv := p.findServer(backend, server)
	if srv == nil {
		return fmt.Errorf("proxy: no server %s/%s", backend, server)
	}
	host := "" // no address: the server waits for DNS (not picked)
	if ip.IsValid() {
		host = ip.String()
	}
	a := net.JoinHostPort(host, strconv.Itoa(port))
	srv.addr.Store(&a)
	srv.addrGen.Add(1)
	srv.closeIdle()
	if b := p.backends[backend]; b != nil {
		b.dyn.derive(b.cfg, srv) // HAProxy's srv_set_dyncookie
	}
	return nil
}

// address is where new connections to the server go.
func (s *server) address() string { return *s.addr.Load() }

// ShutdownServerSessions is `shutdown sessions server B/S`: every session
// talking to the server now is closed on both sides (HAProxy kills its
// streams), idle keep-alive clients are left alone. It returns how many.
func (p *Proxy) ShutdownServerSessions(backend, server string) (int, error) {
	srv := p.findServer(backend, server)
	if srv == nil {
		return 0, fmt.Errorf("proxy: no server %s/%s", backend, server)
	}
	return p.shutdownSessions(srv.is, true), nil
}

func (s *server) is(o *server) bool { return s == o }

// shutdownSessions ends every session talking now to a server that match
// selects: on both sides (clients too), or on the server's side only, so
// that a session still waiting for its response answers 502 as HAProxy's
// killed streams do. It returns how many.
func (p *Proxy) shutdownSessions(match func(*server) bool, clients bool) int {
	p.mu.Lock()
	var kill []*session
	for s := range p.sessions {
		if srv := s.curSrv.Load(); srv != nil && match(srv) {
			kill = append(kill, s)
		}
	}
	p.mu.Unlock()
	for _, s := range kill {
		if clients {
			s.c.Close()
		}
		if sc := s.srvConn.Load(); sc != nil {
			sc.Close()
		}
	}
	return len(kill)
}
