package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// newDispatch is a backend's `dispatch` target: a server outside the
// server list (no stats row, no checks, never counted by nbsrv), always
// up, without a name, so logs show <NOSRV> as HAProxy's do.
func (p *Proxy) newDispatch(bc *Backend, now time.Time) *server {
	if bc.Dispatch == nil {
		return nil
	}
	sc := bc.Dispatch
	s := &server{cfg: sc, tlsc: &p.tlsc, bal: &balance.Server{Weight: sc.Weight, Up: true}}
	s.status = initialStatus(sc, now)
	s.reuse, s.ka, s.failedSrc, s.idleCap = bc.Reuse, bc.TCPKeepAlive, bc.FailedSrc, idleCap(p.cfg.MaxConn)
	s.addr.Store(&sc.Addr)
	s.cookie.Store(&sc.Cookie)
	return s
}
