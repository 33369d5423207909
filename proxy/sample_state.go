package proxy

import (
	"net"
	"net/netip"
	"time"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/proxy/balance"
)

// What the be_*, fe_*, srv_*, nbsrv, queue and connslots fetches (and the
// nbsrv and srv_queue converters) read of the running proxy: live
// counters of the proxy a request runs in, of any backend, frontend or
// server named, as HAProxy's backend.c and frontend.c fetches read their
// proxy and server structures.

// ratePeriod is the period of the proxies' and servers' rate counters:
// HAProxy's fe_sess_per_sec, fe_req_per_sec, be_sess_per_sec and the
// servers' sess_per_sec are per second.
const ratePeriod = 1000

func countRate(c *Counters, req bool) { countRateAt(c, req, StickNow()) }

// countSession counts a session and its rate.
func (c *Counters) countSession() {
	c.sessions.Add(1)
	countRate(c, false)
}

// goesTo records the server a session's transaction goes to and the
// connection to it: for `shutdown sessions server` and the srv_name and
// bc_* fetches.
func (s *session) goesTo(srv *server, sc *tconn) {
	s.srvConn.Store(sc)
	s.curSrv.Store(srv)
	s.info.server, s.info.srvConn = srv, sc
}

// BackendLoad is a backend's figures as the sample fetches give them.
type BackendLoad struct {
	// Conn is be_conn: the transactions (tcp: connections) currently
	// assigned to the backend, the one being evaluated included once it
	// is assigned.
	Conn int64
	// Queue is queue: the requests waiting for a server slot.
	Queue int64
	// Usable is nbsrv: HAProxy's be_usable_srv.
	Usable int
	// ConnFree is be_conn_free and Slots connslots (-1: some server
	// that counts has no maxconn, or no maxqueue for Slots).
	ConnFree, Slots int64
	// SessRate is be_sess_rate: sessions assigned per second.
	SessRate int64
	// ServerTimeout and TunnelTimeout are its timeouts (0: unset).
	ServerTimeout, TunnelTimeout time.Duration
}

// ServerLoad is a server's figures as the srv_* fetches give them.
type ServerLoad struct {
	Conn, ConnFree, Queue, SessRate int64
	Up                              bool
	// Weight is the effective weight (0 while draining), UWeight the
	// user weight (`set weight`), IWeight the configured one.
	Weight, UWeight, IWeight int
}

// FrontendLoad is a frontend's figures as the fe_* fetches give them.
type FrontendLoad struct {
	Conn, SessRate, ReqRate int64
	// DefaultBackend is its default backend's name ("": none).
	DefaultBackend string
	ClientTimeout  time.Duration
}

// Stopping is the `stopping` fetch: true once the proxy is shutting down.
func (r *RequestInfo) Stopping() bool {
	return r.px != nil && (r.px.closing.Load() || r.px.stopping.Load())
}

// MarkStopping makes the stopping fetch true while the listeners still
// accept: global grace's delay before a soft stop.
func (p *Proxy) MarkStopping() {
	p.stopping.Store(true)
	p.startSpread() // close_spread.go
}

// BackendLoad reads the backend named name ("": the proxy the request
// arrived on, as HAProxy resolves an omitted backend argument to the
// rule's own proxy: goha runs only a frontend's or listen's rules).
func (r *RequestInfo) BackendLoad(name string) (BackendLoad, bool) {
	if r.px == nil {
		return BackendLoad{}, false
	}
	if name == "" {
		name = r.Frontend.Name
	}
	b := r.px.backends[name]
	if b == nil {
		return BackendLoad{}, false
	}
	now := StickNow()
	out := BackendLoad{Conn: b.conns.Load(), Queue: int64(b.queue.n.Load()), SessRate: int64(b.stats.sessRate.Read(ratePeriod, now)),
		ServerTimeout: b.cfg.Timeouts.Server, TunnelTimeout: b.cfg.Timeouts.Tunnel}
	r.px.statusMu.Lock() // the servers' status, then their balancer state
	defer r.px.statusMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	out.Usable = usableServers(b)
	out.ConnFree, out.Slots = freeSlots(b)
	return out, true
}

// usableServers is HAProxy's be_usable_srv: the usable active servers,
// else 1 when a backup takes the traffic alone, else the usable backups
// (allbackups).
func usableServers(b *backend) int {
	act, bck := 0, 0
	for _, s := range b.list() {
		if !currentlyUsable(s.bal) {
			continue
		}
		if s.bal.Backup {
			bck++
		} else {
			act++
		}
	}
	switch {
	case act > 0:
		return act
	case bck > 0 && !b.cfg.Balance.Options.AllBackups:
		return 1
	}
	return bck
}

// currentlyUsable is srv_currently_usable: up, not in maintenance or
// draining, with a weight.
func currentlyUsable(s *balance.Server) bool { return s.Up && s.Weight > 0 }

// freeSlots are be_conn_free and connslots. be_conn_free counts the
// servers the balancer may pick now (backups only when no active server
// is usable, the first one alone without allbackups); connslots every
// server not down, adding its queue slots.
func freeSlots(b *backend) (connFree, slots int64) {
	act := false
	for _, s := range b.list() {
		act = act || (!s.bal.Backup && currentlyUsable(s.bal))
	}
	firstBackup := true
	freeDone, slotsDone := false, false
	for _, s := range b.list() {
		if !s.status.Usable() {
			continue // SRV_ST_STOPPED
		}
		mc, cur := s.maxConn.Load(), s.stats.curSessions.Load()
		if !slotsDone {
			if mc == 0 || s.cfg.MaxQueue == 0 {
				slots, slotsDone = -1, true
			} else {
				slots += (mc - cur) + int64(s.cfg.MaxQueue)
			}
		}
		if freeDone || !currentlyUsable(s.bal) {
			continue
		}
		if s.bal.Backup {
			first := firstBackup
			firstBackup = false
			if act || (!first && !b.cfg.Balance.Options.AllBackups) {
				continue
			}
		}
		if mc == 0 {
			connFree, freeDone = -1, true
			continue
		}
		connFree += max(0, mc-cur)
	}
	return connFree, slots
}

// ServerLoad reads server of backend ("": the proxy the request arrived
// on).
func (r *RequestInfo) ServerLoad(backend, server string) (ServerLoad, bool) {
	if r.px == nil {
		return ServerLoad{}, false
	}
	if backend == "" {
		backend = r.Frontend.Name
	}
	b, s := r.px.backends[backend], r.px.findServer(backend, server)
	if s == nil {
		return ServerLoad{}, false
	}
	out := ServerLoad{Conn: s.stats.curSessions.Load(), SessRate: int64(s.stats.sessRate.Read(ratePeriod, StickNow()))}
	r.px.statusMu.Lock()
	b.mu.Lock()
	st := s.status
	out.Weight = s.bal.Weight
	b.mu.Unlock()
	r.px.statusMu.Unlock()
	out.Up = !st.Maint && !st.ResolvMaint && st.CheckUp && !st.AgentDown
	out.UWeight, out.IWeight = st.Weight, st.InitWeight
	out.ConnFree = -1
	if mc := s.maxConn.Load(); mc > 0 {
		out.ConnFree = max(0, mc-out.Conn)
	}
	return out, true
}

// FrontendLoad reads the frontend named name ("": the request's).
func (r *RequestInfo) FrontendLoad(name string) (FrontendLoad, bool) {
	if r.px == nil {
		return FrontendLoad{}, false
	}
	if name == "" {
		name = r.Frontend.Name
	}
	for _, f := range r.px.frontends {
		if f.cfg.Name != name {
			continue
		}
		now := StickNow()
		out := FrontendLoad{Conn: f.stats.curSessions.Load(), SessRate: int64(f.stats.sessRate.Read(ratePeriod, now)),
			ReqRate: int64(f.stats.reqRate.Read(ratePeriod, now)), ClientTimeout: f.cfg.Timeouts.Client}
		if f.def != nil && f.def != f.self { // a listen's own half is no default_backend
			out.DefaultBackend = f.def.cfg.Name
		}
		return out, true
	}
	return FrontendLoad{}, false
}

// Server is the server the transaction went to (srv_name, srv_id).
func (r *RequestInfo) Server() (ProxyRef, bool) {
	if r.server == nil {
		return ProxyRef{}, false
	}
	return ProxyRef{Name: r.server.cfg.Name, ID: r.server.id}, true
}

// ServerConn is the connection to the server: its local and remote
// addresses (bc_src, bc_dst: not known over an HTTP/2 connection to the
// server) and the HTTP major version it speaks (bc_http_major).
func (r *RequestInfo) ServerConn() (local, remote netip.AddrPort, major int, ok bool) {
	c := r.srvConn
	if c == nil {
		return r.failedServerConn() // bc_err.go
	}
	if u, ok := c.h2.(*fcgiUpstream); ok {
		c = u.raw // an HTTP/1 mux to bc_http_major, as HAProxy's FastCGI one
	} else if c.h2 != nil {
		return local, remote, 2, true
	}
	if c.TCPConn == nil {
		return local, remote, 1, true
	}
	if la, ok := c.TCPConn.LocalAddr().(*net.TCPAddr); ok {
		local = unmapped(la.AddrPort())
	}
	if ra, ok := c.TCPConn.RemoteAddr().(*net.TCPAddr); ok {
		remote = unmapped(ra.AddrPort())
	}
	if c.srvSide != nil && c.peer.IsValid() {
		remote = c.peer // through a SOCKS4 proxy (socks4.go)
	}
	return local, remote, 1, true
}

// TCPInfo is what the kernel says of the client connection (TCP_INFO):
// false when there is no socket or the call fails.
func (r *RequestInfo) TCPInfo() (*unix.TCPInfo, bool) {
	if r.cliTCP == nil {
		return nil, false
	}
	raw, err := r.cliTCP.SyscallConn()
	if err != nil {
		return nil, false
	}
	var info *unix.TCPInfo
	var gerr error
	if err := raw.Control(func(fd uintptr) {
		info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
	}); err != nil || gerr != nil {
		return nil, false
	}
	return info, true
}
