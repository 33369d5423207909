package proxy

import (
	"net"
	"net/netip"
	"sort"
	"time"
)

// sessionListing is what `show sess` names a session by: an id shaped as
// HAProxy's stream pointers (HAProxy prints the address of its struct;
// goha counts, so an id is never reused while the process runs) and when
// the session began.
type sessionListing struct {
	id   uint64
	born time.Time
}

// The ids start at a heap-like address and step by a stream's size, so
// that tools matching HAProxy's "0x55...:" lines read them.
const (
	sessionIDBase = 0x55d000000000
	sessionIDStep = 0x400
)

// SessionInfo is one client session as `show sess` lists it.
type SessionInfo struct {
	ID       uint64
	Src      netip.AddrPort // the client's address as seen on the socket
	Frontend string
	Backend  string // the backend serving it ("" = none chosen yet)
	Server   string // the server it is connected to ("" = none)
	Age      time.Duration
	// The detail `show sess all` prints: when it began, its mode, the
	// address the client reached, the server's address and the local
	// address of the connection to it (zero: none yet).
	Born       time.Time
	HTTP       bool
	Local      netip.AddrPort
	ServerAddr string
	SrvLocal   netip.AddrPort
}

// Sessions lists the sessions with a transaction or tunnel in progress,
// oldest first. HAProxy makes an HTTP connection's stream only once a
// request's head has arrived and ends it with the response: an HTTP
// session is listed while it talks to a server.
func (p *Proxy) Sessions() []SessionInfo {
	now := time.Now()
	p.mu.Lock()
	var list []*session
	for s := range p.sessions {
		if s.tcpStream() || (!s.idle.Load() && s.curSrv.Load() != nil) {
			list = append(list, s)
		}
	}
	p.mu.Unlock()
	out := make([]SessionInfo, 0, len(list))
	for _, s := range list {
		si := SessionInfo{ID: s.listing.id, Frontend: s.fe.cfg.Name, Age: now.Sub(s.listing.born), Born: s.listing.born,
			HTTP: !s.tcpStream()}
		si.Src, si.Local = tcpAddr(s.c.RemoteAddr()), tcpAddr(s.c.LocalAddr())
		if srv := s.curSrv.Load(); srv != nil {
			si.Backend, si.Server, si.ServerAddr = p.serverBackend(srv), srv.cfg.Name, srv.address()
			if sc := s.srvConn.Load(); sc != nil {
				si.SrvLocal = tcpAddr(sc.LocalAddr())
			}
		}
		out = append(out, si)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func tcpAddr(a net.Addr) netip.AddrPort {
	if t, ok := a.(*net.TCPAddr); ok {
		return unmapped(t.AddrPort())
	}
	return netip.AddrPort{}
}

// serverBackend names the backend a server belongs to.
func (p *Proxy) serverBackend(srv *server) string {
	for name, b := range p.backends {
		b.mu.Lock()
		for _, s := range b.list() {
			if s == srv {
				b.mu.Unlock()
				return name
			}
		}
		b.mu.Unlock()
	}
	return ""
}

// ShutdownSession is `shutdown session <id>`: the session is closed on
// both sides. It reports whether the id names a running session.
func (p *Proxy) ShutdownSession(id uint64) bool {
	var kill *session
	p.mu.Lock()
	for s := range p.sessions {
		if s.listing.id == id {
			kill = s
			break
		}
	}
	p.mu.Unlock()
	if kill == nil {
		return false
	}
	kill.c.Close()
	if sc := kill.srvConn.Load(); sc != nil {
		sc.Close()
	}
	return true
}

// KillServerSides closes the server connection of every session, as
// HAProxy's hard-stop-after kills the streams still running: a client
// waiting for its response gets the 502 of a server gone. It returns how
// many sessions had one.
func (p *Proxy) KillServerSides() int {
	var conns []*tconn
	p.mu.Lock()
	for s := range p.sessions {
		if sc := s.srvConn.Load(); sc != nil {
			conns = append(conns, sc)
		}
	}
	p.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
	return len(conns)
}
