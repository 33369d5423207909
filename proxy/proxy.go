package proxy

import (
	"context"
	"errors"
	"fmt"
	"github.com/goha-lb/goha/proxy/stick"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/listen"
)

// Options are the runtime's collaborators; the zero value is valid.
type Options struct {
	// NewBalancer, when set, builds each backend's balancer from its
	// Backend.Balance instead of balance.Build: tests hand in balancers
	// they can watch.
	NewBalancer func(spec balance.Spec, servers []*balance.Server) (balance.Balancer, error)
	// Log, when set, receives every finished HTTP transaction and TCP
	// session (see LogEntry).
	Log LogFunc
	// Logs, when set, tells which frontends log at all: the others skip
	// building their LogEntry (and the clock reading it needs). Unset,
	// every frontend's transactions go to Log.
	Logs func(frontend string) bool
	// ConnError, when set, receives each connection refused before its
	// session began (a bad or missing PROXY header on an accept-proxy
	// bind), for HAProxy's error log line.
	ConnError func(e *ConnError)
	// Listen, when set, opens each bind address instead of net.Listen
	// (inherited descriptors, sockets handed over by a previous worker; see
	// proxy/listen). It must return a *net.TCPListener. so are the bind
	// line's socket options, for a socket it opens itself.
	Listen func(network, addr string, so listen.SockOpts) (net.Listener, error)
	// ReusePort gives the listening sockets SO_REUSEPORT, as HAProxy
	// gives them unless global noreuseport (so a reloaded worker binds
	// beside the old one).
	ReusePort bool
	// Observe, when set, receives what the traffic to each server with
	// Server.Observe showed (check.Runner.Analyze).
	Observe func(backend, server string, a check.Analysis)
	// WarmedUp, when set, hears of a server whose slow start ended
	// (HAProxy logs it "is UP").
	WarmedUp func(backend, server string)
	// Alert, when set, receives a proxy's alert for its log targets and
	// stderr (option checkcache's "Blocking cacheable cookie ...").
	Alert func(proxy, msg string)
	// FCGIStderr, when set, receives the STDERR records of the
	// applications of the fcgi-apps with log-stderr (FCGIApp.LogStderr),
	// trailing newlines taken off, for their log targets.
	FCGIStderr func(app string, msg []byte)
}

// Proxy runs a Config: New builds it, Start opens the listeners, Shutdown
// stops them and drains in-flight traffic.
type Proxy struct {
	cfg *Config
	// lim are the head limits of tune.bufsize, tune.maxrewrite and
	// tune.http.maxhdr; bigBufs the pool of a bufsize over the default
	// (nil: the shared one).
	lim         bufLimits
	bigBufs     *sync.Pool
	tables      map[string]*stick.Table // cfg.Tables by name
	opt         Options
	actConn     atomic.Int64 // connections currently open (%ac)
	frontends   []*frontend
	backends    map[string]*backend
	backendList []*backend
	global      *limiter                  // global maxconn (`set maxconn global` changes it)
	rates       processRates              // global maxconnrate, maxsessrate (process_rate.go)
	comp        compRates                 // global maxcomprate (comp_rate.go)
	tlsc        tlsCounters               // `show info`'s TLS figures (tls_stats.go)
	abandoned   map[*net.TCPConn]struct{} // clients left unanswered under maxsslconn (ssl_limits.go)
	errEvents   atomic.Uint32             // refused messages captured so far (errsnap.go)

	// statusMu serialises server status changes (UpdateServerStatus).
	statusMu sync.Mutex

	mu        sync.Mutex
	listeners []net.Listener
	sessions  map[*session]struct{}
	lastSID   uint64 // the last `show sess` id given (session_list.go)
	closing   atomic.Bool
	stopping  atomic.Bool   // a soft stop's grace has begun (MarkStopping)
	spreadEnd atomic.Int64  // close-spread-time's window end, Unix ns (close_spread.go)
	done      chan struct{} // closed by Shutdown
	aborted   chan struct{} // closed when Shutdown's context ends
	abortOnce sync.Once
	wg        sync.WaitGroup // sessions
	acceptWG  sync.WaitGroup // accept loops
	// acceptsDone is set once every accept loop has returned; from then
	// on no session may start (wg may be waited on).
	acceptsDone bool
}

type frontend struct {
	cfg   *Frontend
	slots *limiter // per-frontend maxconn (`set maxconn frontend` changes it)
	errs  errorPages
	def   *backend
	use   []*backend // parallel to cfg.UseBackends
	// lowerNames are the names of cfg.RequestRules in lower case, as
	// their fields are added, with their names filter bits (rule_edits.go);
	// the names live in nameLines, each followed by ": " (names_filter.go).
	lowerNames []ruleName
	nameLines  []byte
	self       *backend // a listen section's backend half (nil for a frontend)
	// countLater: its RequestRules count the request after their
	// content rules (CountFrontendRequest, backend_track.go).
	countLater bool
	stats      Counters
	logs       bool // its transactions go to Options.Log
	gate       pauseGate
	// badReq is the last request its parser refused (`show errors`).
	badReq atomic.Pointer[ErrorCapture]
	rate   rateGate // rate-limit sessions (rate_limit.go)
}

type backend struct {
	mu  sync.Mutex // guards server Up/Weight/Backup changes (UpdateServer) against readers
	cfg *Backend
	// badResp is the last response a server sent that was refused
	// (`show errors`).
	badResp atomic.Pointer[ErrorCapture]
	// srvs is the server list, replaced whole (copy on write) by `add
	// server` and `del server` under mu; list() reads it without locks.
	srvs  atomic.Pointer[[]*server]
	bal   balance.Balancer
	errs  errorPages
	stats Counters
	queue waitQueue
	// queueWaits counts the waits in queue begun (takeSlot): a pick
	// that saw it unchanged did not wait (connect's clock reading).
	queueWaits atomic.Uint64
	// conns is be_conn: the transactions (tcp: connections) assigned to
	// the backend now.
	conns atomic.Int64
	// dispatch is the `dispatch` target (nil: none; dispatch.go).
	dispatch *server
	// dyn is the backend's dynamic cookie state (dyncookie.go).
	dyn dynCookies
	// lowerNames are the names of cfg.RequestRules in lower case
	// (frontend.lowerNames, nameLines).
	lowerNames []ruleName
	nameLines  []byte
}

// New validates cfg, resolves backend references, builds the balancers and
// loads errorfiles. It opens no socket.
func New(cfg *Config, opt Options) (*Proxy, error) {
	newBalancer := opt.NewBalancer
	if newBalancer == nil {
		newBalancer = balance.Build
	}
	now := time.Now()
	p := &Proxy{cfg: cfg, opt: opt, backends: map[string]*backend{}, sessions: map[*session]struct{}{}, done: make(chan struct{}), aborted: make(chan struct{})}
	startProcVars(&cfg.VarLimits) // vars_proc_limit.go
	p.lim = newBufLimits(cfg.BufSize, cfg.MaxRewrite, cfg.MaxHeaders)
	p.bigBufs = newBigBufs(p.lim.bufSize)
	p.tables = map[string]*stick.Table{}
	for _, t := range cfg.Tables {
		p.tables[t.Name()] = t
	}
	p.global = newLimiter(limitOf(cfg.MaxConn))
	p.rates.connLimit, p.rates.sessLimit = uint32(max(cfg.MaxConnRate, 0)), uint32(max(cfg.MaxSessRate, 0))
	p.rates.sslLimit, p.tlsc.max = uint32(max(cfg.MaxSSLRate, 0)), int64(max(cfg.MaxSSLConn, 0))
	p.comp.limit.Store(cfg.CompRateLimit) // comp_rate.go
	for _, bc := range cfg.Backends {
		if _, dup := p.backends[bc.Name]; dup {
			return nil, fmt.Errorf("proxy: duplicate backend %q", bc.Name)
		}
		if err := bc.ForwardFor.validate(); err != nil {
			return nil, fmt.Errorf("proxy: backend %q: %w", bc.Name, err)
		}
		b := &backend{cfg: bc}
		b.lowerNames, b.nameLines = ruleNamesOf(bc.RequestRules)
		var bals []*balance.Server
		var servers []*server
		ids := serverIDs(bc.Servers)
		for i, sc := range bc.Servers {
			s := &server{cfg: sc, id: ids[i], tlsc: &p.tlsc, status: initialStatus(sc, now), bal: &balance.Server{
				Name: sc.Name, ID: i + 1, PUID: ids[i], Weight: sc.Weight, Backup: sc.Backup, Up: !sc.Disabled && !sc.AwaitDNS, MaxConn: int64(sc.MaxConn),
			}}
			s.reuse, s.ka, s.failedSrc, s.idleCap = bc.Reuse, bc.TCPKeepAlive, bc.FailedSrc, idleCap(cfg.MaxConn)
			if sc.H2 || sc.H2ALPN {
				s.h2 = &h2Pool{settings: cfg.H2, writeTimeout: bc.Timeouts.Server, limit: sc.StreamLimit, purgeDelay: purgeDelay(sc)}
			}
			s.addr.Store(&sc.Addr)
			s.cookie.Store(&sc.Cookie)
			s.maxConn.Store(int64(sc.MaxConn))
			if sc.MaxConn > 0 && ((sc.MinConn > 0 && sc.MinConn < sc.MaxConn) || sc.Slowstart > 0) {
				s.bal.DynMaxConn = func() int64 { return b.dynMaxConn(s) }
			}
			if sc.Observe && opt.Observe != nil {
				be, name := bc.Name, sc.Name
				s.observer = func(a check.Analysis) { opt.Observe(be, name, a) }
			}
			servers = append(servers, s)
			bals = append(bals, s.bal)
		}
		if bc.Balance.Algorithm == "" {
			// The configuration adapter fills HAProxy's defaults (parser/haproxy
			// defaults.go); an empty algorithm is a caller's mistake.
			return nil, fmt.Errorf("proxy: backend %q: no balance algorithm", bc.Name)
		}
		bal, err := newBalancer(bc.Balance, bals)
		if err != nil {
			return nil, fmt.Errorf("proxy: backend %q: %w", bc.Name, err)
		}
		b.bal = bal
		b.srvs.Store(&servers)
		b.dispatch = p.newDispatch(bc, now)
		if b.errs, err = loadErrorPages(bc.ErrorFiles, bc.ErrorPages); err != nil {
			return nil, fmt.Errorf("proxy: backend %q: %w", bc.Name, err)
		}
		p.backends[bc.Name] = b
		p.backendList = append(p.backendList, b)
	}
	for _, fc := range cfg.Frontends {
		if err := fc.ForwardFor.validate(); err != nil {
			return nil, fmt.Errorf("proxy: frontend %q: %w", fc.Name, err)
		}
		f := &frontend{cfg: fc, logs: opt.Log != nil && (opt.Logs == nil || opt.Logs(fc.Name))}
		f.rate.limit = uint32(max(fc.RateLimitSessions, 0))
		if fc.Listen {
			f.self = p.backends[fc.Name]
		}
		f.slots = newLimiter(limitOf(fc.MaxConn))
		var err error
		if f.errs, err = loadErrorPages(fc.ErrorFiles, fc.ErrorPages); err != nil {
			return nil, fmt.Errorf("proxy: frontend %q: %w", fc.Name, err)
		}
		if fc.DefaultBackend != "" {
			if f.def = p.backends[fc.DefaultBackend]; f.def == nil {
				return nil, fmt.Errorf("proxy: frontend %q: unknown default_backend %q", fc.Name, fc.DefaultBackend)
			}
		}
		f.lowerNames, f.nameLines = ruleNamesOf(fc.RequestRules)
		f.countLater = countsAfterContent(fc.RequestRules)
		for _, u := range fc.UseBackends {
			if u.Dynamic != nil {
				f.use = append(f.use, nil) // looked up per request
				continue
			}
			b := p.backends[u.Backend]
			if b == nil {
				return nil, fmt.Errorf("proxy: frontend %q: unknown use_backend %q", fc.Name, u.Backend)
			}
			f.use = append(f.use, b)
		}
		// HAProxy refuses a frontend whose backends run another mode.
		for _, b := range append([]*backend{f.def}, f.use...) {
			if b != nil && b.cfg.Mode != fc.Mode && !fc.UpgradesPerConn {
				return nil, fmt.Errorf("proxy: frontend %q and backend %q have different modes", fc.Name, b.cfg.Name)
			}
		}
		p.frontends = append(p.frontends, f)
	}
	return p, nil
}

// Start binds every frontend's addresses and starts accepting. If any bind
// fails, the listeners opened so far are closed and the error returned.
func (p *Proxy) Start() error {
	var lns []net.Listener
	var owners []*frontend
	var binds []bindInfo // per listener
	for _, f := range p.frontends {
		for _, addr := range f.cfg.Binds {
			bs := f.cfg.BindSockets[addr]
			ln, err := p.listen(addr, bs.Sock, f.cfg.Transparent[addr])
			if err != nil {
				for _, l := range lns {
					l.Close()
				}
				return fmt.Errorf("proxy: frontend %q: bind %s: %w", f.cfg.Name, addr, err)
			}
			lns = append(lns, ln)
			owners = append(owners, f)
			binds = append(binds, bindInfo{listener: &Listener{Name: bs.Name}, acceptProxy: f.cfg.AcceptProxy[addr], name: f.cfg.BindNames[addr], id: f.cfg.BindIDs[addr], tls: f.cfg.TLS[addr], h2: f.cfg.H2[addr], verify: f.cfg.TLSVerify[addr],
				slots: bindSlots(bs.MaxConn), acceptCIP: bs.AcceptCIP, cipMagic: bs.CIPMagic})
		}
	}
	p.mu.Lock()
	p.listeners = append(p.listeners, lns...)
	p.mu.Unlock()
	for i, ln := range lns {
		owners[i].gate.mu.Lock()
		owners[i].gate.lns = append(owners[i].gate.lns, ln.(*net.TCPListener))
		owners[i].gate.mu.Unlock()
		p.acceptWG.Add(1)
		go p.acceptLoop(ln.(*net.TCPListener), owners[i], binds[i])
	}
	return nil
}

func (p *Proxy) listen(addr string, so listen.SockOpts, transparent bool) (net.Listener, error) {
	so.ReusePort = p.opt.ReusePort
	if transparent {
		return p.listenTransparent(addr, so)
	}
	if p.opt.Listen == nil {
		return listen.Open("tcp", addr, so)
	}
	ln, err := p.opt.Listen("tcp", addr, so)
	if err != nil {
		return nil, err
	}
	if _, ok := ln.(*net.TCPListener); !ok {
		ln.Close()
		return nil, fmt.Errorf("%T is not a TCP listener", ln)
	}
	return ln, nil
}

// Addrs returns the bound listener addresses in bind order (useful with
// port 0).
func (p *Proxy) Addrs() []net.Addr {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []net.Addr
	for _, l := range p.listeners {
		out = append(out, l.Addr())
	}
	return out
}

// acceptLoop enforces maxconn without refusing anyone. The frontend's slot
// is taken before Accept, so beyond the frontend's maxconn connections wait
// in the kernel's accept queue. The global slot is shared by all listeners
// and is taken after Accept: a listener must not reserve a global slot
// while it has nobody to accept, or it would starve the others. So, at
// the global limit, each listener holds at most one accepted connection
// unserved until a slot frees (its client just waits, as in the backlog).
func (p *Proxy) acceptLoop(ln *net.TCPListener, f *frontend, bind bindInfo) {
	defer p.acceptWG.Done()
	for {
		// A bind's maxconn first: a full listener must not hold one of
		// its frontend's slots the frontend's other listeners could use.
		if !bind.slots.acquire(p.done) {
			return
		}
		if !f.slots.acquire(p.done) {
			bind.slots.release()
			return
		}
		if !f.gate.wait(p.done) { // `disable frontend`: not accepting
			p.releaseFrontend(f, bind)
			return
		}
		if !f.waitSessionRate(p.done) { // rate-limit sessions
			p.releaseFrontend(f, bind)
			return
		}
		if !p.rates.wait(p.done, bind.tls != nil) { // maxconnrate, maxsessrate, maxsslrate
			p.releaseFrontend(f, bind)
			return
		}
		c, err := ln.AcceptTCP()
		if err != nil {
			p.releaseFrontend(f, bind)
			if p.closing.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			if f.gate.isPaused() { // woken by the pause's deadline
				continue
			}
			time.Sleep(10 * time.Millisecond) // EMFILE and friends: back off
			continue
		}
		sessPending := p.rates.accepted()       // maxconnrate counts it, maxsessrate awaits its session
		bind.listener.conns.Add(1)              // until closeAccepted or the session's finish
		if bind.tls != nil && !p.acceptTLS(c) { // maxsslconn (ssl_limits.go)
			p.rates.endPending(sessPending)
			p.closeAccepted(f, bind)
			continue
		}
		f.cfg.TCPKeepAlive.setAccepted(c)
		if f.cfg.NoLinger {
			c.SetLinger(0) // a reset at its close (nolinger.go)
		}
		rejected, tr, vars, addrs, expect := p.rejectConn(f, c, bind)
		if rejected {
			p.endTLSReserve(bind)
			p.rates.endPending(sessPending)
			p.closeAccepted(f, bind)
			continue
		}
		// Once accepted, a connection waits for a global slot even
		// while shutting down (sessions are finishing and free them):
		// with listeners shared by the next worker, dropping it would
		// fail a client. Only Shutdown's deadline gives it up.
		if !p.global.acquire(p.aborted) {
			p.endTLSReserve(bind)
			p.rates.endPending(sessPending)
			tr.release()
			p.dropConnVars(vars) // vars_proc_limit.go
			c.Close()
			p.closeAccepted(f, bind)
			return
		}
		s := &session{txn: newTxn(), p: p, fe: f, accepted: time.Now(), parkedFD: -1, bind: &bind, src: addrs[0], dst: addrs[1], expect: expect}
		s.priv.max = f.cfg.SessionSrvConns
		s.info.track = tr // its session is counted once begun (serve)
		s.info.vars = vars
		s.info.recountSess() // vars_limits.go
		s.c = newTconn(c, &s.woken)
		s.c.noLinger = f.cfg.NoLinger
		if bind.tls != nil {
			p.tlsc.attach(s.c) // acceptTLS's count, until s.c closes
		}
		if !p.track(s) {
			s.c.endTLSCount()
			p.rates.endPending(sessPending)
			tr.release()
			p.dropConnVars(vars) // vars_proc_limit.go
			c.Close()
			p.release(f, bind)
			return
		}
		p.actConn.Add(1)
		s.ratePending = f.rate.add()
		s.procRatePending = sessPending
		go s.serve() // its finish releases what is taken here
	}
}

func (p *Proxy) releaseFrontend(f *frontend, bind bindInfo) {
	f.slots.release()
	bind.slots.release()
}

// release frees what a session held: its global, frontend and bind slots
// and its place among the listener's connections.
func (p *Proxy) release(f *frontend, bind bindInfo) {
	p.global.release()
	p.closeAccepted(f, bind)
}

// closeAccepted frees an accepted connection's frontend and bind slots
// and its place among the listener's connections.
func (p *Proxy) closeAccepted(f *frontend, bind bindInfo) {
	bind.listener.conns.Add(-1)
	p.releaseFrontend(f, bind)
}

func (p *Proxy) track(s *session) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.acceptsDone {
		return false
	}
	p.wg.Add(1)
	p.lastSID++
	s.listing = sessionListing{id: sessionIDBase + p.lastSID*sessionIDStep, born: time.Now()}
	p.sessions[s] = struct{}{}
	return true
}

func (p *Proxy) untrack(s *session) {
	p.mu.Lock()
	delete(p.sessions, s)
	p.mu.Unlock()
	p.wg.Done()
}

// Shutdown stops accepting and lets every kept-alive connection end at a
// message boundary, as HAProxy's soft stop: in-flight transactions finish
// and their responses say Connection: close. An idle connection (or one
// whose last response had gone without it) gets until softStopGrace after
// its last response to bring the request its client may already be
// sending, answered with Connection: close; one idle for longer is closed
// at once.
// It returns when all are done. When ctx ends first, the remaining
// connections are closed and ctx's error returned.
func (p *Proxy) Shutdown(ctx context.Context) error {
	p.startSpread() // close_spread.go
	p.mu.Lock()
	if !p.closing.Swap(true) {
		close(p.done)
	}
	for _, l := range p.listeners {
		l.Close()
	}
	for s := range p.sessions {
		s.wakeIfIdle()
	}
	p.mu.Unlock()
	stopAbort := context.AfterFunc(ctx, func() { p.abortOnce.Do(func() { close(p.aborted) }) })
	defer stopAbort()
	// A connection the kernel handed to Accept just as the listener closed
	// is served, not dropped: when listeners are shared with the next
	// worker (a reload), dropping it would reset a client. Its session sees
	// closing and ends after its first response.
	p.acceptWG.Wait()
	p.closeAbandoned() // ssl_limits.go
	p.mu.Lock()
	p.acceptsDone = true
	for s := range p.sessions {
		s.wakeIfIdle() // sessions accepted during the wait
	}
	p.mu.Unlock()
	done := make(chan struct{})
	go func() { p.wg.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		p.mu.Lock()
		for s := range p.sessions {
			s.abort()
		}
		p.mu.Unlock()
		<-done
	}
	for _, b := range p.backendList {
		for _, s := range b.list() {
			s.closeIdle()
		}
	}
	return err
}
