package proxy

import (
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// list is the backend's servers now. The slice is never changed in
// place: `add server` and `del server` store a new one.
func (b *backend) list() []*server { return *b.srvs.Load() }

// Errors of AddServer and DelServer that the runtime API words as
// HAProxy does.
var (
	ErrServerExists    = errors.New("proxy: a server with this name exists")
	ErrServerIDUsed    = errors.New("proxy: server id in use")
	ErrServerNotMaint  = errors.New("proxy: server not in maintenance")
	ErrServerBusy      = errors.New("proxy: server has connections")
	ErrStaticAlgorithm = errors.New("proxy: backend balance algorithm is static")
)

// AddServer is the runtime API's `add server`: sc joins the backend in
// maintenance (HAProxy creates dynamic servers so; `enable server` or
// `set server ... state ready` puts it in service) with id, or the
// lowest id no server uses when id is 0. The balancer is rebuilt with
// the new list; the backend must use a dynamic algorithm.
func (p *Proxy) AddServer(backend string, sc *Server, id int) (int, error) {
	b := p.backends[backend]
	if b == nil {
		return 0, fmt.Errorf("proxy: no backend %q", backend)
	}
	if !b.cfg.Balance.Dynamic() {
		return 0, ErrStaticAlgorithm
	}
	p.statusMu.Lock() // no status update runs while the list changes
	defer p.statusMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.list()
	used := map[int]bool{}
	for _, s := range old {
		if s.cfg.Name == sc.Name {
			return 0, ErrServerExists
		}
		used[s.id] = true
	}
	if id == 0 {
		for id = 1; used[id]; id++ {
		}
	} else if used[id] {
		return 0, ErrServerIDUsed
	}
	if ap, err := netip.ParseAddrPort(sc.Addr); err == nil && ap.Addr().IsUnspecified() {
		sc.AnyHost = true // at 0.0.0.0 or ::, it follows the client's destination (transparent.go)
	}
	st := initialStatus(sc, time.Now())
	st.Maint = true
	s := &server{cfg: sc, id: id, status: st, bal: &balance.Server{
		Name: sc.Name, ID: len(old) + 1, Weight: sc.Weight, Backup: sc.Backup, MaxConn: int64(sc.MaxConn),
	}}
	s.addr.Store(&sc.Addr)
	s.cookie.Store(&sc.Cookie)
	s.maxConn.Store(int64(sc.MaxConn))
	s.reuse, s.ka, s.failedSrc, s.idleCap = b.cfg.Reuse, b.cfg.TCPKeepAlive, b.cfg.FailedSrc, idleCap(p.cfg.MaxConn)
	list := append(append([]*server(nil), old...), s)
	if err := p.rebalance(b, list); err != nil {
		return 0, err
	}
	return id, nil
}

// DelServer is the runtime API's `del server`: the server must be in
// maintenance and serve nothing (no connection, no session, no idle
// connection left is closed with it).
func (p *Proxy) DelServer(backend, name string) error {
	b := p.backends[backend]
	if b == nil {
		return fmt.Errorf("proxy: no backend %q", backend)
	}
	p.statusMu.Lock()
	defer p.statusMu.Unlock()
	b.mu.Lock()
	defer b.mu.Unlock()
	old := b.list()
	at := -1
	for i, s := range old {
		if s.cfg.Name == name {
			at = i
		}
	}
	if at < 0 {
		return fmt.Errorf("proxy: no server %s/%s", backend, name)
	}
	srv := old[at]
	if !srv.status.Maint {
		return ErrServerNotMaint
	}
	if srv.bal.Conns.Load() > 0 || p.serverInUse(srv) {
		return ErrServerBusy
	}
	list := append(append([]*server(nil), old[:at]...), old[at+1:]...)
	if err := p.rebalance(b, list); err != nil {
		return err
	}
	srv.closeIdle()
	return nil
}

// serverInUse says whether a session is attached to srv.
func (p *Proxy) serverInUse(srv *server) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for s := range p.sessions {
		if s.curSrv.Load() == srv {
			return true
		}
	}
	return false
}

// rebalance numbers list for the balancer (its ID is the position, see
// findServer), builds a balancer over it and publishes both; b.mu is held.
func (p *Proxy) rebalance(b *backend, list []*server) error {
	build := p.opt.NewBalancer
	if build == nil {
		build = balance.Build
	}
	bals := make([]*balance.Server, len(list))
	for i, s := range list {
		s.bal.ID = i + 1
		bals[i] = s.bal
	}
	bal, err := build(b.cfg.Balance, bals)
	if err != nil {
		for i, s := range b.list() { // keep the published numbering
			s.bal.ID = i + 1
		}
		return err
	}
	b.bal = bal
	b.srvs.Store(&list)
	return nil
}
