package proxy

import (
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// ServerStatus is one server's state as HAProxy keeps it: the
// administrative state (maintenance from `disabled` or the runtime API,
// drain) apart from the operational state health checks give. The
// balancer sees only what the two make together (Usable, EffectiveWeight),
// so a check coming back UP cannot take a server out of maintenance.
type ServerStatus struct {
	Maint, Drain bool
	// ResolvMaint: the server has no address its resolvers accept (never
	// resolved, or the name stopped resolving past its hold time):
	// HAProxy's SRV_ADMF_RMAINT, "MAINT (resolution)".
	ResolvMaint bool
	// CheckUp is the health checks' verdict (true without checks).
	CheckUp bool
	// CheckDrain: an UP server whose check answered 404 under `http-check
	// disable-on-404` takes no new traffic (HAProxy's NOLB, "stopping").
	CheckDrain bool
	// AgentDown: the server's agent-check answered down, stopped or fail.
	AgentDown  bool
	Weight     int       // user weight (`weight`, `set server ... weight`)
	InitWeight int       // weight from the configuration
	Changed    time.Time // last UP/DOWN or admin change (`show stat` lastchg)
	Downs      int64     // UP -> DOWN transitions (`show stat` chkdown)
	// Warm is the slow-start factor of a server ramping up after coming
	// back (`slowstart`, HAProxy's SRV_ST_STARTING): 1..16 sixteenths of
	// its weight, 16 all along for a static algorithm; 0 = not starting.
	Warm int
}

// initialStatus is a configured server's status at start: in maintenance
// when `disabled`, up until a check says otherwise.
func initialStatus(s *Server, now time.Time) ServerStatus {
	return ServerStatus{Maint: s.Disabled, ResolvMaint: s.AwaitDNS, CheckUp: true, Weight: s.Weight, InitWeight: s.Weight, Changed: now}
}

// Usable says whether the balancer may pick the server: not in
// maintenance, up by its checks and not down by its agent.
func (s ServerStatus) Usable() bool {
	return !s.Maint && !s.ResolvMaint && s.CheckUp && !s.AgentDown
}

// EffectiveWeight is the weight the balancer uses: 0 while draining, by
// the runtime API or by disable-on-404, so the server takes no new
// traffic but keeps what it has.
func (s ServerStatus) EffectiveWeight() int {
	if s.Drain || s.CheckDrain {
		return 0
	}
	return balance.WarmedWeight(s.Weight, s.Warm)
}

// settle finishes a change from before to s at now: lastchg moves on a
// change of state (not of weight), and chkdown counts UP -> DOWN
// transitions whatever the cause, entering maintenance included (as
// HAProxy counts them).
func (s ServerStatus) settle(before ServerStatus, now time.Time) ServerStatus {
	if before.Maint != s.Maint || before.ResolvMaint != s.ResolvMaint || before.Drain != s.Drain || before.CheckUp != s.CheckUp || before.CheckDrain != s.CheckDrain ||
		before.AgentDown != s.AgentDown {
		s.Changed = now
	}
	if before.Usable() && !s.Usable() {
		s.Downs++
	}
	return s
}

// ServerStatus returns a copy of the status of server in backend.
func (p *Proxy) ServerStatus(backend, server string) (ServerStatus, bool) {
	srv := p.findServer(backend, server)
	if srv == nil {
		return ServerStatus{}, false
	}
	p.statusMu.Lock()
	defer p.statusMu.Unlock()
	return srv.status, true
}

// UpdateServerStatus changes the status of server in backend with fn (a
// runtime `disable server`, `set server ... weight`, a health check's
// verdict) and gives the balancer the result. Updates are serialised, so
// fn sees the status the previous one left.
func (p *Proxy) UpdateServerStatus(backend, server string, fn func(s *ServerStatus)) error {
	srv := p.findServer(backend, server)
	if srv == nil {
		return p.UpdateServer(backend, server, func(*balance.Server) {}) // its error names what is missing
	}
	p.statusMu.Lock()
	before := srv.status
	fn(&srv.status)
	now := time.Now()
	srv.status = srv.status.settle(before, now)
	warming := p.warmupStart(p.backends[backend], srv, before, now)
	st := srv.status
	err := p.UpdateServer(backend, server, func(b *balance.Server) {
		b.Up = st.Usable()
		b.Weight = st.EffectiveWeight()
	})
	p.statusMu.Unlock()
	if warming {
		p.scheduleWarmup(p.backends[backend], srv)
	}
	p.onMarked(srv, before.Usable(), st.Usable())
	return err
}

// onMarked applies `on-marked-down shutdown-sessions` (the server's own
// sessions end when it goes down, maintenance included) and `on-marked-up
// shutdown-backup-sessions` (the backend's backup servers' sessions end
// when it comes up), as HAProxy's srv_update_status does.
func (p *Proxy) onMarked(srv *server, was, is bool) {
	switch {
	case was && !is && srv.cfg.OnMarkedDownShutdown:
		p.shutdownSessions(srv.is, false)
	case !was && is && srv.cfg.OnMarkedUpShutdownBackup:
		p.shutdownSessions(func(s *server) bool { return s.cfg.Backup && p.sameBackend(s, srv) }, false)
	}
}

// sameBackend reports whether a and b belong to one backend.
func (p *Proxy) sameBackend(a, b *server) bool {
	for _, be := range p.backendList {
		has := func(x *server) bool {
			for _, s := range be.list() {
				if s == x {
					return true
				}
			}
			return false
		}
		if has(a) {
			return has(b)
		}
	}
	return false
}

func (p *Proxy) findServer(backend, server string) *server {
	b := p.backends[backend]
	if b == nil {
		return nil
	}
	for _, s := range b.list() {
		if s.cfg.Name == server {
			return s
		}
	}
	return nil
}

// FrontendMaxconn is the summed maxconn of the frontends that can route to
// a backend, the global maxconn standing for a frontend without its own:
// what HAProxy's default `fullconn` is taken from (parser/haproxy
// DefaultFullconn; the global maxconn may be known only at start).
func (c *Config) FrontendMaxconn(backend string) int {
	sum := 0
	for _, f := range c.Frontends {
		uses := f.DefaultBackend == backend
		for _, u := range f.UseBackends {
			uses = uses || u.Backend == backend
		}
		if !uses {
			continue
		}
		if f.MaxConn > 0 {
			sum += f.MaxConn
		} else {
			sum += c.MaxConn
		}
	}
	return sum
}
