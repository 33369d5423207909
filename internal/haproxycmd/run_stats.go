package haproxycmd

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/user"
	"runtime"
	"strconv"
	"syscall"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/balance"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/logfmt"
	"github.com/goha-lb/goha/proxy/runtimeapi"
	"golang.org/x/sys/unix"
)

// openStatsSocket creates a `stats socket` (before chroot, so the path is
// the host's) and serves the runtime API on it. HAProxy's default level is
// operator. nil, nil: a socket kind that is not served.
func openStatsSocket(ss haproxy.StatsSocket, w *worker) (io.Closer, error) {
	opt := runtimeapi.Options{Level: runtimeapi.LevelOperator, Timeout: w.plan.StatsTimeout}
	if ss.Level != "" {
		opt.Level, _ = runtimeapi.ParseLevel(ss.Level)
	}
	if ss.Mode != "" {
		m, _ := strconv.ParseUint(ss.Mode, 8, 32)
		opt.Mode = os.FileMode(m)
	}
	if ss.ExposeFD == "listeners" {
		opt.GetSocks = serveGetSocks
	}
	opt.UID, opt.GID = statsSocketOwner(ss)
	opt.OnAccept = func() { w.cliConns.Add(1) }
	opt.SeverityOutput = ss.Values["severity-output"]
	src := &runtimeSource{w: w}
	switch ss.Addr.Family {
	case "unix", "":
		if ss.Addr.Path == "" {
			break
		}
		l, err := runtimeapi.Listen(ss.Addr.Path, src, opt)
		if err != nil {
			return nil, fmt.Errorf("Starting frontend GLOBAL: cannot bind UNIX socket (%v) [%s]", err, ss.Addr.Path)
		}
		return l, nil
	}
	if ss.Addr.Family == "ipv4" || ss.Addr.Family == "ipv6" || ss.Addr.Family == "" {
		// KeepAlive -1: HAProxy sets no SO_KEEPALIVE on CLI connections.
		// SO_REUSEPORT, as on HAProxy's every inet listener unless
		// noreuseport: a reloaded worker binds the socket while the old
		// one still holds it.
		lc := net.ListenConfig{KeepAlive: -1, Control: func(_, _ string, c syscall.RawConn) error {
			var serr error
			if err := c.Control(func(fd uintptr) {
				if w.plan.Process.ReusePort {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
				}
			}); err != nil {
				return err
			}
			return serr
		}}
		ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(ss.Addr.Host, strconv.Itoa(ss.Addr.PortLow)))
		if err != nil {
			return nil, fmt.Errorf("Starting frontend GLOBAL: cannot bind socket (%v) [%s]", err, ss.Addr.Raw)
		}
		return runtimeapi.Serve(ln, src, opt), nil
	}
	return nil, nil // abns@, fd@...: reported by wire as not supported, left out
}

// bindStatsPages gives the stats pages of the configuration the running
// proxy's data: the page shows what `show stat` and `show info` show.
func bindStatsPages(w *worker) {
	for _, p := range w.plan.StatsPages {
		p.Bind(&runtimeSource{w: w})
	}
}

// runtimeSource is the running worker as the runtime API sees it.
type runtimeSource struct {
	w *worker
}

var processStart = time.Now()

func (s *runtimeSource) Info() runtimeapi.Info {
	w := s.w
	info := runtimeapi.Info{Version: haproxy.Version, ReleaseDate: haproxy.ReleaseDate, Nbthread: runtime.GOMAXPROCS(0), Pid: os.Getpid(),
		Uptime: time.Since(processStart), StartTime: processStart, Maxconn: w.px.GlobalMaxconn(),
		HardMaxconn: w.plan.Proxy.MaxConn, IdlePct: 100}
	info.CompressBpsIn, info.CompressBpsOut, info.CompressBpsRateLim = w.px.CompressionRates()
	// HAProxy sizes its descriptors from maxconn (2 per connection plus
	// its reserve, see defaultMaxconn) and shows that as both values.
	r := w.px.ProcessRates()
	info.ConnRate, info.ConnRateLimit, info.MaxConnRate = int64(r.ConnRate), int64(r.ConnRateLimit), int64(r.MaxConnRate)
	info.SessRate, info.SessRateLimit, info.MaxSessRate = int64(r.SessRate), int64(r.SessRateLimit), int64(r.MaxSessRate)
	info.Maxsock = 2*w.plan.Proxy.MaxConn + fdReserve(w.plan)
	info.UlimitN = info.Maxsock
	if w.ulimitN != 0 {
		info.UlimitN = int(w.ulimitN)
	}
	if info.Node = w.plan.Process.Node; info.Node == "" {
		info.Node, _ = os.Hostname() // HAProxy's default node name
	}
	for _, f := range w.px.Frontends() {
		info.CurrConns += f.Stats.CurSessions
		info.CumConns += f.Stats.Sessions
		info.CumReq += f.Stats.Requests
		info.BytesOut += f.Stats.BytesOut
	}
	info.CumConns += w.cliConns.Load()
	info.CumReq += w.cliConns.Load()
	info.Listeners = len(w.plan.StatsSockets)
	for _, f := range w.plan.Proxy.Frontends {
		info.Listeners += len(f.Binds)
	}
	for _, pn := range w.plan.Peers {
		if pn.Config.Listen != "" {
			info.Listeners++ // the local peer's bind, as HAProxy counts it
		}
	}
	// Jobs: listeners, sessions, and the CLI connection asking.
	info.Jobs = int(info.CurrConns) + info.Listeners + 1
	info.DroppedLogs = w.events.dropped()
	info.ActivePeers, info.ConnectedPeers = s.PeersCounts()
	t := w.px.TLSStats()
	info.TLS = runtimeapi.TLSInfo{MaxConns: int64(w.plan.Process.MaxSSLConn), RateLimit: int64(w.plan.Process.MaxSSLRate), CurrConns: t.CurrConns, CumConns: t.CumConns, Rate: t.Rate, MaxRate: t.MaxRate,
		FrontendKeyRate: t.FrontendKeyRate, FrontendMaxKeyRate: t.MaxFeKR, FrontendSessionReusePct: t.SessionReusePct,
		BackendKeyRate: t.BackendKeyRate, BackendMaxKeyRate: t.MaxBeKR}
	return info
}

func counters(st proxy.Stats) runtimeapi.Counters {
	c := runtimeapi.Counters{
		STot: st.Sessions, SCur: st.CurSessions, BIn: st.BytesIn, BOut: st.BytesOut, ReqTot: st.Requests,
		HRsp: [6]int64{st.HRsp1xx, st.HRsp2xx, st.HRsp3xx, st.HRsp4xx, st.HRsp5xx, st.HRspOther},
		ECon: st.ConnErrors, EResp: st.RespErrors, WRetr: st.Retries, WRedis: st.Redispatches, QCur: st.Queue,
		Intercepted: st.Intercepted, LastSess: -1, DReq: st.DeniedReq, DCon: st.DeniedConn, DSes: st.DeniedSess, DResp: st.DeniedResp, EReq: st.ReqErrors,
		CompIn: st.CompIn, CompOut: st.CompOut, CompByp: st.CompByp, CompRsp: st.CompRsp,
		WRew: st.WRew, EInt: st.EInt, CacheLookups: st.CacheLookups, CacheHits: st.CacheHits,
		CliAbrt: st.CliAborts, SrvAbrt: st.SrvAborts,
	}
	if st.Sessions > 0 {
		c.LastSess = 0 // the data path does not timestamp sessions
	}
	return c
}

// Stats lists the sections in file order with HAProxy's ids (2, 3, ...;
// id 1 is the stats socket's GLOBAL proxy).
func (s *runtimeSource) Stats() []runtimeapi.Proxy {
	w := s.w
	fes := map[string]proxy.FrontendState{}
	for _, f := range w.px.Frontends() {
		fes[f.Name] = f
	}
	bes := map[string]proxy.BackendState{}
	for _, b := range w.px.Backends() {
		bes[b.Name] = b
	}
	base := baseOf(w)
	out := make([]runtimeapi.Proxy, 0, len(w.plan.Sections))
	for i, sec := range w.plan.Sections {
		p := runtimeapi.Proxy{Name: sec.Name, ID: i + 2, HTTP: sec.HTTP}
		if f, ok := fes[sec.Name]; ok && sec.Frontend {
			st := base.since("fe/"+f.Name, f.Stats)
			c := counters(st)
			c.ConnTot = st.Sessions
			fe := &runtimeapi.Frontend{Counters: c, SLim: w.plan.Proxy.MaxConn, Paused: w.px.FrontendPaused(sec.Name),
				Stopped: w.px.FrontendStopped(sec.Name), RateLim: w.px.FrontendRateLimit(sec.Name)}
			if n, ok := w.px.FrontendMaxconn(sec.Name); ok {
				fe.SLim = n // configured or `set maxconn frontend`
			}
			p.Frontend = fe
		}
		if b, ok := bes[sec.Name]; ok && sec.Backend {
			p.Backend = s.backend(b)
		}
		out = append(out, p)
	}
	return out
}

func (s *runtimeSource) backend(b proxy.BackendState) *runtimeapi.Backend {
	w := s.w
	var spec balance.Spec
	cookieName, fullconn := "", 0
	for _, bc := range w.plan.Proxy.Backends {
		if bc.Name == b.Name {
			spec, fullconn = bc.Balance, bc.FullConn
			if bc.Cookie != nil {
				cookieName = bc.Cookie.Name
			}
		}
	}
	base := baseOf(w)
	be := &runtimeapi.Backend{Counters: counters(base.since("be/"+b.Name, b.Stats)), SLim: fullconn, Algo: spec.Name(),
		StaticWeights: !spec.Dynamic(), Cookie: cookieName}
	checks := map[string]*check.Target{}
	for i := range w.plan.Checks {
		t := &w.plan.Checks[i].Target
		if t.Backend == b.Name && !t.Agent {
			checks[t.Server] = t
		}
	}
	for _, sv := range b.Servers {
		if spec := w.dynamicCheck(b.Name, sv.Name); spec != nil {
			checks[sv.Name] = &spec.Target
		}
	}
	for _, sv := range b.Servers {
		st, _ := w.px.ServerStatus(b.Name, sv.Name)
		st.Downs = base.downsSince(b.Name, sv.Name, st.Downs)
		sv.Stats = base.since("sv/"+b.Name+"/"+sv.Name, sv.Stats)
		sc := counters(sv.Stats)
		// proxy counts requests sent to a server as its sessions; HAProxy
		// shows them as picks (lbtot) and, in http mode, requests.
		// (persistence cookies choose servers without a pick).
		sc.LbTot = sv.Stats.Sessions - sv.Stats.Direct
		if sv.Stats.Requests == 0 && w.plan.Proxy.Backends != nil && isHTTPBackend(w, b.Name) {
			sc.ReqTot = sv.Stats.Sessions - sv.Stats.Redirected
		}
		be.LbTot += sc.LbTot
		rs := runtimeapi.Server{Counters: sc, Name: sv.Name, ID: sv.ID, Addr: sv.Addr,
			Up: st.CheckUp && !st.AgentDown, Maint: st.Maint, ResolvMaint: st.ResolvMaint, Drain: st.Drain, Stopping: st.CheckDrain, Backup: sv.Backup, Weight: st.Weight,
			InitialWeight: st.InitWeight, IdleConns: sv.Idle, LastChange: time.Since(st.Changed), Warm: st.Warm,
			UsedMax: sv.UsedMax, NeedConns: sv.NeedEst, IdleUnsafe: sv.IdleUnsafe}
		if c := sv.Config; c != nil {
			rs.PurgeDelayMS = c.PurgeDelay.Milliseconds()
			if c.PurgeDelay < 0 {
				rs.PurgeDelayMS = -1
			}
			rs.ConfigDisabled = c.Disabled
			rs.UseSSL = c.TLS != nil
			rs.ForcedID = c.ID > 0
			rs.MaxConn, rs.MaxQueue = slimOf(sv.MaxConn), c.MaxQueue
			rs.Cookie = w.px.ServerCookie(b.Name, sv.Name)
			rs.FQDN, rs.Resolved = c.FQDN, c.Resolvers != ""
			if c.SRV != "" {
				v := w.srvSlots.get(b.Name, sv.Name)
				rs.FQDN, rs.SRVRecord, rs.SRVNamed = v.fqdn, c.SRV, v.named
			}
		}
		rs.NeverReady = w.neverReady(b.Name, sv.Name)
		rs.Tracked = w.tracked(b.Name, sv.Name)
		if rs.Tracked != "" {
			rs.TrackRef = s.trackRef(rs.Tracked)
		}
		if rs.Tracked != "" && w.inheritedMaint(b.Name, sv.Name) {
			rs.MaintVia, rs.MaintForced = rs.Tracked, w.forcedMaint(b.Name, sv.Name)
		}
		rs.DrainInherited = rs.Tracked != "" && w.inheritedDrain(b.Name, sv.Name)
		if t := checks[sv.Name]; t != nil && w.checksOff(b.Name, sv.Name, false) {
			rs.CheckOff = s.checkState(t, st)
		} else if t != nil {
			rs.Check = s.checkState(t, st)
			// a dynamic server's check runs in the maintenance it was
			// created in (check.Runner.AddTarget)
			rs.Check.RunsInMaint = rs.NeverReady
			if n, observed := s.hanaFailed(t); observed {
				rs.HanaFail = &n
			}
		}
		if s.agentState(&rs, b.Name); w.checksOff(b.Name, sv.Name, true) {
			rs.Agent, rs.AgentOff = nil, rs.Agent != nil
		}
		rs.UncheckedHealth = w.uncheckedHealth(b.Name, sv.Name)
		rs.UncheckedRise = w.plan.Unchecked[b.Name+"/"+sv.Name].Rise
		if c := sv.Config; c != nil {
			// the server's `addr` and `port`, with or without checks
			rs.CheckAddr, rs.CheckPort = c.CheckAddr, c.CheckPort
			if w.agentSpec(b.Name, sv.Name) == nil { // else agentState's
				rs.AgentAddr, rs.AgentPort = c.AgentAddr, c.AgentPort
			}
		}
		if cs := w.checkSpec(b.Name, sv.Name); cs != nil {
			rs.CheckAddr, rs.CheckPort = cs.addr, cs.port
		}
		if spec := w.dynamicCheck(b.Name, sv.Name); spec != nil && rs.Agent == nil {
			// HAProxy's `addr` and `port` set the agent's too
			rs.AgentAddr, rs.AgentPort = spec.OwnAddr, spec.OwnPort
		} else if spec := w.planCheck(b.Name, sv.Name); spec != nil && rs.Agent == nil && rs.AgentPort == 0 {
			rs.AgentPort = spec.OwnPort // `port` sets the agent's port too (HAProxy 2.6)
		}
		be.Servers = append(be.Servers, rs)
	}
	return be
}

// trackRef is what HAProxy reads a tracking server's status from: the
// server at the end of its tracking chain, with its check and agent.
func (s *runtimeSource) trackRef(of string) *runtimeapi.Server {
	w := s.w
	for i := 0; i < 100; i++ { // a chain; loops are refused by the parser
		next := w.tracked(splitKey(of))
		if next == "" {
			break
		}
		of = next
	}
	backend, server := splitKey(of)
	st, _ := w.px.ServerStatus(backend, server)
	ref := &runtimeapi.Server{Name: server, Up: st.CheckUp && !st.AgentDown}
	for i := range w.plan.Checks {
		if t := &w.plan.Checks[i].Target; t.Backend == backend && t.Server == server && !t.Agent && !w.checksOff(backend, server, false) {
			ref.Check = s.checkState(t, st)
		}
	}
	if s.agentState(ref, backend); w.checksOff(backend, server, true) {
		ref.Agent = nil
	}
	return ref
}

func (s *runtimeSource) checkState(t *check.Target, st proxy.ServerStatus) *runtimeapi.Check {
	// rise and fall come filled from parser/haproxy's defaults table
	c := &runtimeapi.Check{Status: "INI", Desc: "Initializing", Rise: t.Rise, Fall: t.Fall, Health: t.Rise, Downs: st.Downs}
	if s.w.checks == nil {
		return c
	}
	h, last, ok := s.w.checks.State(t.Backend, t.Server)
	if !ok {
		return c
	}
	c.Health = h.Value()
	if last != (check.Result{}) {
		c.Status, c.Code, c.Duration, c.Desc, c.Info = statusName(last.Status), last.Code, last.Duration, last.Status.Reason(), last.Info
		if (last.Status == check.L7OK || last.Status == check.L4OK || last.Status == check.L7OKC) && !last.ShowInfo {
			// HAProxy keeps no detail for a passed HTTP or connect check,
			// nor for disable-on-404's conditional pass (last_chk empty)
			c.Info = ""
		}
	}
	c.Failed = s.w.checks.FailedChecks(t.Backend, t.Server) - baseOf(s.w).failsAt(t.Backend, t.Server)
	if c.Running = s.w.checks.Running(t.Backend, t.Server, false); c.Running {
		c.Info = "" // HAProxy empties the detail when a check starts
	}
	return c
}

// hanaFailed is a checked server's hanafail, when it has `observe`.
func (s *runtimeSource) hanaFailed(t *check.Target) (int64, bool) {
	if s.w.checks == nil {
		return 0, t.Observe != check.ObserveNone
	}
	return s.w.checks.HanaFailed(t.Backend, t.Server)
}

func statusName(s check.Status) string { return s.Name() }

// SetServerState applies `disable/enable server` and `set server ...
// state`, pauses or resumes the server's health check, and logs HAProxy's
// lines for the transition (runtimeapi.ServerStateEvents).
func (s *runtimeSource) SetServerState(backend, server string, state runtimeapi.AdminState) error {
	w := s.w
	before, _ := w.px.ServerStatus(backend, server)
	wasUsable, backup := s.serverUsable(backend, server)
	maint := state == runtimeapi.StateMaint
	if w.tracked(backend, server) != "" {
		w.setForcedMaint(backend, server, maint)
		if !maint && before.Maint && w.inheritedMaint(backend, server) {
			s.logEvent(backend, runtimeapi.Event{Level: 5, Tag: "WARNING",
				Text:   "Server " + backend + "/" + server + " is leaving forced maintenance but remains in maintenance via " + w.tracked(backend, server) + ".",
				Stderr: "Server " + backend + "/" + server + " is leaving forced maintenance but remains in maintenance via " + w.tracked(backend, server) + "."})
			return nil
		}
	}
	leftDown := false
	checkNow := func() {}
	var of *check.TrackState // a tracking server's tracked server
	if t := w.tracked(backend, server); t != "" {
		st := w.trackState(splitKey(t))
		of = &st
	}
	err := w.px.UpdateServerStatus(backend, server, func(st *proxy.ServerStatus) {
		if of != nil && st.Maint && !maint {
			// it took no transition in maintenance: it takes the
			// tracked server's state now, stopping included
			st.CheckUp, st.CheckDrain = of.Up, of.Up && of.Stopping
			leftDown = !of.Up
		}
		if st.Maint && !maint && w.checks != nil && !w.checksOff(backend, server, true) {
			if up, ok := w.checks.AgentLeavesMaint(backend, server); ok {
				// a dynamic server's agent takes effect now
				st.AgentDown, leftDown = !up, !up
			}
		}
		if st.Maint && !maint && !st.ResolvMaint && w.checks != nil {
			// HAProxy: a server leaving maintenance is UP with a fresh
			// health and is checked at once, once the trackers have
			// taken the UP state (below).
			if ok, now := w.checks.LeaveMaintenance(backend, server); ok {
				st.CheckUp, st.CheckDrain = true, false
				checkNow = now
			}
		}
		st.Maint = maint
		st.Drain = state == runtimeapi.StateDrain
	})
	if err != nil {
		return err
	}
	if !maint {
		w.leftMaint(backend, server)
	}
	if maint && !before.Maint {
		// maintenance empties an unchecked server's health too, and
		// leaving it does not refill it (HAProxy 2.6.12)
		w.setUncheckedHealth(backend, server, 0)
	}
	if maint && !before.Maint && w.checks != nil {
		w.checks.SetMaintenance(backend, server, true) // checks pause in maintenance
	}
	from := runtimeapi.StateReady
	switch {
	case before.Maint:
		from = runtimeapi.StateMaint
	case before.Drain:
		from = runtimeapi.StateDrain
	}
	c := w.backendCounts(backend, server)
	for _, ev := range runtimeapi.ServerStateEvents(runtimeapi.Transition{Backend: backend, Server: server, Backup: backup,
		From: from, To: state, WasUsable: wasUsable, Down: !before.CheckUp || before.AgentDown, LeftDown: leftDown, Act: c.Active, Bck: c.Backup, Sessions: c.Sessions}) {
		s.logEvent(backend, ev)
	}
	if drain := state == runtimeapi.StateDrain; drain != before.Drain && !w.inheritedDrain(backend, server) {
		s.propagateDrain(backend, server, drain)
	}
	if maint != before.Maint && !w.inheritedMaint(backend, server) {
		s.propagateMaint(backend, server, maint)
	}
	checkNow()
	return nil
}

// SetServerWeight applies `set server B/S weight N` / `set weight`; a
// weight of 0 that takes the backend's last usable server logs HAProxy's
// "backend 'b' has no server available!" alert.
func (s *runtimeSource) SetServerWeight(backend, server string, weight int) error {
	w := s.w
	wasUsable, _ := s.serverUsable(backend, server)
	if err := w.px.UpdateServerStatus(backend, server, func(st *proxy.ServerStatus) { st.Weight = weight }); err != nil {
		return err
	}
	if c := w.backendCounts(backend, server); wasUsable && weight == 0 && c.Active+c.Backup == 0 {
		s.logEvent(backend, runtimeapi.BackendDownEvent(backend))
	}
	return nil
}

// serverUsable says whether the data path may pick the server (up, with a
// weight), and whether it is a backup.
func (s *runtimeSource) serverUsable(backend, server string) (usable, backup bool) {
	for _, b := range s.w.px.Backends() {
		for _, sv := range b.Servers {
			if b.Name == backend && sv.Name == server {
				return sv.Up && sv.Weight > 0, sv.Backup
			}
		}
	}
	return false, false
}

// logEvent prints a runtime API event under its tag on stderr and sends it
// to the backend's log targets at its own level (alert, notice, emerg), as
// HAProxy does.
func (s *runtimeSource) logEvent(backend string, ev runtimeapi.Event) {
	if ev.Level == 0 {
		ev.Text, ev.Stderr = s.w.proxyKind(backend, ev.Text), s.w.proxyKind(backend, ev.Stderr)
	}
	tag := levelWarning
	if ev.Tag == "ALERT" {
		tag = levelAlert
	}
	if ev.Stderr != "" {
		ev.Stderr = s.w.stderrPrefix() + ev.Stderr
	}
	s.w.events.stderrOnly(ev.Stderr, tag)
	s.w.events.send(backend, logfmt.Level(ev.Level), ev.Text)
}

func isHTTPBackend(w *worker, name string) bool {
	for _, b := range w.plan.Proxy.Backends {
		if b.Name == name {
			return b.Mode == proxy.ModeHTTP
		}
	}
	return false
}

// statsSocketOwner reads user/uid and group/gid of a stats socket line, the
// last of each pair winning as in HAProxy (uid and gid are read with atol;
// user and group names were checked by the parser).
func statsSocketOwner(ss haproxy.StatsSocket) (uid, gid *int) {
	for _, o := range ss.Options {
		v := ss.Values[o]
		var id int
		switch o {
		case "uid", "gid":
			id, _ = strconv.Atoi(leadingDigits(v))
		case "user":
			u, err := user.Lookup(v)
			if err != nil {
				continue
			}
			id, _ = strconv.Atoi(u.Uid)
		case "group":
			g, err := user.LookupGroup(v)
			if err != nil {
				continue
			}
			id, _ = strconv.Atoi(g.Gid)
		default:
			continue
		}
		if o == "uid" || o == "user" {
			uid = &id
		} else {
			gid = &id
		}
	}
	return uid, gid
}

// leadingDigits is the part of v atol reads (an optional sign and digits).
func leadingDigits(v string) string {
	i := 0
	if i < len(v) && (v[i] == '-' || v[i] == '+') {
		i++
	}
	for i < len(v) && v[i] >= '0' && v[i] <= '9' {
		i++
	}
	return v[:i]
}
