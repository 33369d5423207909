package haproxycfg

import (
	"cmp"
	"crypto/tls"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/check"
	"github.com/goha-lb/goha/proxy/stick"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// Build maps cfg to a Plan. It never fails: what cannot run is left out and
// reported in Plan.Notices. Disabled proxies are skipped.
func Build(cfg *haproxy.Config) *Plan {
	b := &builder{plan: &Plan{
		Proxy: &proxy.Config{MaxConn: cfg.Global.Maxconn, NoSplice: cfg.Global.NoSplice,
			MaxConnRate: cfg.Global.MaxConnRate, MaxSessRate: cfg.Global.MaxSessRate,
			MaxSSLConn: cfg.Global.TLS.MaxSSLConn, MaxSSLRate: cfg.Global.TLS.MaxSSLRate},
		Logs: map[string]*LogSpec{},
	}, seen: map[string]bool{}}
	g := cfg.Global
	b.global = &cfg.Global
	b.cfg = cfg
	b.plan.Resolvers, b.plan.DNS = cfg.Resolvers, &proxy.DNSHook{}
	b.buildCaches() // cache.go
	b.userlists = b.checkUserlists(cfg.Userlists)
	defer acl.UseUserlists(b.userlists)()
	procNames := acl.RecordProcNames() // under UseUserlists' lock
	b.plan.Process = Process{Daemon: g.Daemon, Pidfile: g.Pidfile, Chroot: g.Chroot, User: g.User, Group: g.Group,
		Nbthread: g.Nbthread, MasterWorker: g.MasterWorker, ReusePort: !g.NoReusePort, StrictLimits: strictLimits(g.Raw), SpreadChecks: g.SpreadChecks, MaxSpreadChecks: g.MaxSpreadChecks,
		Node: g.Node, UID: g.UID, GID: g.GID, UlimitN: g.UlimitN, FDHardLimit: g.FDHardLimit, Grace: g.Grace,
		MaxSSLConn: g.TLS.MaxSSLConn, MaxSSLRate: g.TLS.MaxSSLRate}
	b.plan.StatsSockets, b.plan.StatsTimeout = g.StatsSockets, cmp.Or(g.StatsTimeout, haproxy.DefaultStatsTimeout)
	b.pp2NeverSendLocal = hasGlobal(g.Raw, "pp2-never-send-local")
	b.tlsCaptureOf(cfg) // tls_session_fetch.go
	b.failedSrc = readsFailedSrc(cfg)
	b.plan.Proxy.VarLimits = b.varLimits(&g) // vars_limits.go
	b.globalDesc = globalDescription(g.Raw)
	b.plan.Proxy.H2 = h2Settings(&cfg.Global)
	b.plan.Proxy.CompMaxLevel = cmp.Or(g.CompMaxLevel, 1)
	b.plan.Proxy.CompRateLimit = int64(g.MaxCompRate)
	b.plan.Proxy.HeadLimits = headLimits(&g) // head_options.go
	b.plan.Proxy.H1CaseAdjust = g.H1CaseAdjust
	b.plan.Proxy.CloseSpread = proxy.CloseSpread{Window: g.CloseSpread.Window, Infinite: g.CloseSpread.Infinite}
	b.defaultPath(g.DefaultPath) // default_path.go
	b.plan.LogTag, b.plan.SendHostname, b.plan.Hostname = g.LogTag, g.SendHostname, g.Hostname
	for _, ss := range g.StatsSockets {
		for _, o := range ss.Options {
			if o == "severity-output" || o == "user" || o == "uid" || o == "group" || o == "gid" {
				continue // the sessions' initial `set severity-output`, the socket file's owner (runtimeapi.Options)
			}
			b.unsupported(ss.Pos, "stats socket option "+o)
		}
		if ss.ExposeFD != "" && ss.ExposeFD != "listeners" {
			b.unsupported(ss.Pos, "stats socket expose-fd "+ss.ExposeFD)
		}
		switch ss.Addr.Family {
		case "", "unix", "ipv4", "ipv6":
		default:
			b.unsupported(ss.Pos, "stats socket "+ss.Addr.Raw)
		}
	}
	b.procVars(g)
	b.rings(cfg)
	for _, st := range g.Logs {
		if t, ok := b.logTarget(st); ok {
			b.plan.GlobalLogs = append(b.plan.GlobalLogs, t)
		}
	}
	b.logForwards(cfg)
	b.proxyIDs = proxyIDs(cfg.Proxies, len(g.StatsSockets) > 0)
	for _, px := range cfg.Proxies {
		if !px.Disabled {
			b.plan.Sections = append(b.plan.Sections, Section{Name: px.Name, Frontend: px.Cap&haproxy.CapFrontend != 0,
				Backend: px.Cap&haproxy.CapBackend != 0, HTTP: px.Mode == "http"})
		}
	}
	b.stickTables(cfg)
	b.peersNodes(cfg)
	b.emailAlerts(cfg)
	fronts := frontDefaults(cfg) // backend_rules.go
	for _, px := range cfg.Defaults {
		b.rulesNotRun(defaultsRulesNotRun(px, fronts[px]), "defaults section") // defaults_rules.go
		for _, r := range px.TCPResponseRules {
			b.unsupported(r.Pos, "tcp-response content "+r.Action+" in a defaults section")
		}
		for _, r := range px.HTTPAfterResponseRules {
			b.unsupported(r.Pos, "http-after-response "+r.Action+" in a defaults section")
		}
	}
	b.listenTargets(cfg) // backend_rules.go
	for _, px := range cfg.Backends {
		if px.Disabled {
			continue
		}
		b.backend(px)
	}
	for _, px := range cfg.Frontends {
		if px.Disabled {
			continue
		}
		b.frontend(px)
	}
	b.procLimitRefusals(cfg, procNames()) // vars_limits.go
	return b.plan
}

type builder struct {
	plan      *Plan
	proxyIDs  map[string]int                          // HAProxy's proxy ids by name
	seen      map[string]bool                         // notices already given (file:line:what)
	tcpChecks map[*haproxy.Proxy]*check.TCPCheckProbe // one tcp-check probe per proxy (checks.go)
	// pp2NeverSendLocal is global `pp2-never-send-local`.
	pp2NeverSendLocal bool
	tlsCapture        proxy.TLSCapture // tune.ssl capture and keylog (tls_capture.go)
	tls12Used         []string         // the session-key and ssl_bc_unique_id fetches read (tls_session_fetch.go)
	failedSrc         bool             // bc_src is read (failed_src.go)
	// globalDesc is global `description`, the stats page's show-desc text.
	globalDesc  string
	global      *haproxy.Global
	tlsDefaults *tlsDefaults            // read at the first TLS bind (tls.go)
	tables      map[string]*stick.Table // stick tables by proxy name (stick.go)
	// srvTLSDefaults: read at the first TLS server (tls_server.go)
	srvTLSDefaults *serverDefaults
	cfg            *haproxy.Config
	// userlists are the configuration's, their passwords checked (auth.go).
	userlists []haproxy.Userlist
	perConn   map[*haproxy.Proxy]bool // frontends upgraded per connection (switch_conn.go)
}

// unsupported records a goha notice once per position and subject.
func (b *builder) unsupported(p haproxy.Pos, what string) {
	k := fmt.Sprintf("%s:%d:%s", p.File, p.Line, what)
	if b.seen[k] {
		return
	}
	b.seen[k] = true
	b.plan.Notices.Unsupported(p.File, p.Line, what)
}

func mode(px *haproxy.Proxy) proxy.Mode {
	if px.Mode == "http" {
		return proxy.ModeHTTP
	}
	return proxy.ModeTCP
}

func timeouts(px *haproxy.Proxy) proxy.Timeouts {
	t := px.Timeouts
	return proxy.Timeouts{
		Client: t.Client, Server: t.Server, Connect: t.Connect,
		HTTPRequest: t.HTTPRequest, HTTPKeepAlive: t.HTTPKeepAlive, Queue: t.Queue,
		Tunnel: t.Tunnel, ClientFin: t.ClientFin, ServerFin: t.ServerFin,
		Tarpit: firstSet(t.Tarpit, t.Connect),
	}
}

func firstSet(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

// connMode: the parser keeps only the last of the three options.
func connMode(px *haproxy.Proxy) proxy.HTTPConnMode {
	switch {
	case px.Options["httpclose"]:
		return proxy.Close
	case px.Options["http-server-close"]:
		return proxy.ServerClose
	}
	return proxy.KeepAlive
}

func (b *builder) forwardFor(px *haproxy.Proxy) proxy.ForwardFor {
	ff := px.Forwardfor
	if ff == nil {
		return proxy.ForwardFor{}
	}
	out := proxy.ForwardFor{Enabled: true, Header: ff.Header, IfNone: ff.IfNone}
	if out.Header == "" {
		out.Header = haproxy.DefaultForwardforHeader
	}
	if ff.Except != "" {
		pfx, err := acl.ParsePrefix(ff.Except)
		if err != nil {
			b.unsupported(px.Pos, "option forwardfor except "+ff.Except)
		} else {
			out.Except = pfx
		}
	}
	return out
}

// implemented says whether the policy table (parser/haproxy class_table.go,
// the one list of what goha implements) has kind/name as Implemented: the
// timeouts, bind and server options the data path and checks apply.
func implemented(kind, name string) bool {
	row, ok := haproxy.ClassOf(kind, name)
	return ok && row.Class == haproxy.Implemented
}

func (b *builder) common(px *haproxy.Proxy) {
	if px.Mode == "log" {
		b.unsupported(px.Pos, "mode log")
	}
	for _, k := range px.Timeouts.Names() {
		if !implemented("proxy", "timeout "+k) {
			b.unsupported(px.Pos, "timeout "+k)
		}
	}

}

func (b *builder) frontend(px *haproxy.Proxy) {
	b.common(px)
	px = b.withDefaultsContent(px) // defaults_rules.go
	declared := px
	px, how := b.upgradedFrontend(px) // switchmode.go
	upgraded := how == upgradeWhole
	fe := &proxy.Frontend{UpgradedFromTCP: upgraded && switchProto(declared) != "h2", UpgradedByBackend: upgraded && !declared.HTTPUpgrade && !switchFromDefaults(declared), UpgradesPerConn: how == upgradePerConn,
		Name: px.Name, ID: b.proxyIDs[px.Name], Table: b.tables[px.Name], Mode: mode(px), MaxConn: px.Maxconn, RateLimitSessions: px.RateLimitSessions, Timeouts: timeouts(px), RestrictHdrNames: hdrNamePolicy(px.RestrictReqHdrNames),
		ConnMode: connMode(px), ForwardFor: b.forwardFor(px), OriginalTo: b.originalTo(px), DefaultBackend: px.DefaultBack,
		Splice: splice(px), TCPKeepAlive: tcpKeepAlive(px.Options["clitcpka"], px.CliTCPKA),
		// A frontend's option parses requests (a backend's is ignored
		// with a warning by the parser, as HAProxy does).
		AcceptInvalidRequest: px.Options["accept-invalid-http-request"],
		IgnoreProbes:         px.Options["http-ignore-probes"],
		DisableH2Upgrade:     px.Options["disable-h2-upgrade"],
		H1CaseAdjustClient:   px.Options["h1-case-adjust-bogus-client"],
		IdleCloseOnResponse:  px.Options["idle-close-on-response"],
		LogASAP:              logASAP(px), // logwait.go
		ContStats:            px.Options["contstats"],
		Listen:               px.Kind == "listen",
		BufferRequest:        px.Options["http-buffer-request"] && (mode(px) == proxy.ModeHTTP || how == upgradePerConn),
		Compression:          compression(px), SessionSrvConns: sessionSrvConns(px),
	}
	fe.IndependentStreams = b.independentStreams(px) // indep_streams.go
	fe.NoLinger = b.noLingerFront(px)                // nolinger.go
	pages := b.errorPages(px)
	fe.ErrorPages, fe.ErrorPageCloses = pages.pages, pages.closes
	if px.Kind == "listen" && fe.DefaultBackend == "" {
		fe.DefaultBackend = px.Name
	}
	listeners := 0 // HAProxy numbers each listener of a frontend from 1
	for _, bd := range px.Binds {
		for o := range bd.Options {
			if !implemented("bind", o) {
				b.unsupported(bd.Pos, "bind option "+o)
			}
		}
		if v, ok := bd.Options["npn"]; ok && bd.SSL {
			b.npn(bd.Pos, v, "bind")
		}
		var tc *tls.Config
		var tv *tlsconf.ClientVerify
		if bd.SSL {
			if tc, tv = b.bindTLS(bd); tc == nil {
				listeners += len(bd.Addrs)
				continue // not served rather than served in clear
			}
		}
		for _, a := range bd.Addrs {
			addrs, err := expandBind(a)
			if err != nil {
				b.unsupported(bd.Pos, err.Error())
				continue
			}
			fe.Binds = append(fe.Binds, addrs...)
			for _, a := range addrs {
				listeners++
				if fe.BindNames == nil {
					fe.BindNames = map[string]string{}
				}
				fe.BindNames[a] = strconv.Itoa(listeners)
				if fe.BindIDs == nil {
					fe.BindIDs = map[string]int{}
				}
				fe.BindIDs[a] = listeners
				if id, err := strconv.Atoi(bd.Options["id"]); err == nil && id > 0 {
					fe.BindIDs[a] = id
				}
				if name, ok := bd.Options["name"]; ok && name != "" {
					fe.BindNames[a] = name
				}
				if _, ok := bd.Options["accept-proxy"]; ok {
					if fe.AcceptProxy == nil {
						fe.AcceptProxy = map[string]bool{}
					}
					fe.AcceptProxy[a] = true
				}
				bindTransparent(fe, bd, a)
				b.addTLS(fe, a, tc, tv)
				addBindSocket(fe, a, bd)
				b.bindH2(fe, bd, a)
				b.plan.Binds = append(b.plan.Binds, BindRef{Addr: a, Proxy: px.Name, Kind: px.Kind, Pos: bd.Pos})
			}
		}
	}
	if upgraded && switchProto(declared) == "h2" {
		forceH2(fe) // switchmode.go
	}
	acls := acl.NewSet(px.ACLs).WithUserlists(b.userlists)
	if mode(px) == proxy.ModeTCP {
		acls.WithPayload()
	}
	fe.UseBackends = b.useBackends(px, acls)
	b.dropOtherModeRoutes(fe) // switchmode.go
	fe.TCPConnRules = b.tcpConnRules(px, acls)
	fe.TCPSessRules = b.tcpSessRules(px, acls)
	fe.TCPContentRules = b.tcpContentRules(px, acls)
	fe.InspectDelay = px.InspectDelay
	switch {
	case fe.Mode == proxy.ModeHTTP:
		b.httpFrontend(px, declared, fe, acls, pages) // http_frontend.go
	case fe.UpgradesPerConn:
		b.perConnHTTP(px, fe, pages) // switch_conn.go
	default:
		b.statsPage(px, fe.Mode, acls) // warns that tcp mode ignores it
		for _, r := range px.Redirects {
			b.unsupported(r.Pos, "redirect in a tcp proxy")
		}
	}
	b.plan.Proxy.Frontends = append(b.plan.Proxy.Frontends, fe)
	if spec := b.logSpec(declared); spec != nil {
		b.plan.Logs[px.Name] = spec
		fe.LogSamples = spec.samples
		fe.ErrorLog, fe.ErrorLogSamples = spec.Error != "", spec.errSamples
	}
}

func (b *builder) backend(px *haproxy.Proxy) {
	b.common(px)
	if px.Kind == "backend" {
		b.defaultsContentNotRun(px) // defaults_rules.go
	}
	be := &proxy.Backend{
		Name: px.Name, ID: b.proxyIDs[px.Name], Mode: mode(px), Timeouts: timeouts(px), ConnMode: connMode(px),
		ForwardFor: b.forwardFor(px), OriginalTo: b.originalTo(px), Retries: haproxy.DefaultRetries, Redispatch: px.Options["redispatch"], RestrictHdrNames: hdrNamePolicy(px.RestrictReqHdrNames),
		BufferRequest: px.Options["http-buffer-request"] && mode(px) == proxy.ModeHTTP,
		AbortOnClose:  px.Options["abortonclose"],
		Compression:   compression(px),
		Splice:        splice(px),
		TCPKeepAlive:  tcpKeepAlive(px.Options["srvtcpka"], px.SrvTCPKA),
		// The backend's option parses its servers' responses.
		AcceptInvalidResponse: px.Options["accept-invalid-http-response"],
		FullConn:              px.Fullconn, // 0: HAProxy's default, filled at start (the global maxconn may be known only then)
	}
	be.IndependentStreams = b.independentStreams(px)                      // indep_streams.go
	be.NoLinger = px.Options["nolinger"]                                  // proxy/nolinger.go
	be.FailedSrc = b.failedSrc                                            // proxy/failed_src.go
	be.CheckCache = px.Options["checkcache"] && be.Mode == proxy.ModeHTTP // proxy/check_cache.go
	if be.Mode == proxy.ModeHTTP {
		be.SendNameHeader = strings.ToLower(px.SendNameHeader)
		be.PretendKeepAlive = px.Options["http-pretend-keepalive"]
		be.H1CaseAdjustServer = px.Options["h1-case-adjust-bogus-server"]
	}
	bePages := b.errorPages(px)
	be.ErrorPages, be.ErrorPageCloses = bePages.pages, bePages.closes
	if px.RetriesSet {
		be.Retries = px.Retries
	}
	be.Reuse = reuseMode(px.HTTPReuse)
	be.KeepAlivePrefs = keepAlivePrefs(px)
	be.RedispatchEvery = px.RedispatchEvery
	b.retryOn(px, be)
	be.Balance = b.balance(px)
	for _, s := range px.Servers {
		b.server(px, be, s)
	}
	b.dispatch(px, be)
	b.dynamicCheck(px)
	b.persistence(px, be)
	b.useServers(px, be, acl.NewSet(px.ACLs).WithUserlists(b.userlists))
	b.stickRules(px, be)
	be.TCPResponseRules = b.tcpResponseRules(px, be) // tcp_response.go
	if px.Kind == "backend" {
		// A listen section's page is served by its frontend half's rules.
		be.Services = b.statsPage(px, be.Mode, acl.NewSet(px.ACLs).WithUserlists(b.userlists))
		b.backendAfterResponse(px, be)  // after_response.go
		b.backendRules(px, be, bePages) // backend_rules.go
	}
	b.plan.Proxy.Backends = append(b.plan.Proxy.Backends, be)
	if spec := b.logSpec(px); spec != nil {
		b.plan.Logs[px.Name] = spec
	}
}

// retryOn maps `retry-on`: conn-failure (the default) and none are
// honoured by proxy.decideRetry; the conditions met after the request was
// sent (empty/junk response, response timeout, status codes) are not
// implemented. HAProxy ignores them outside mode http.
func (b *builder) retryOn(px *haproxy.Proxy, be *proxy.Backend) {
	if px.RetryOn == nil {
		return
	}
	be.NoConnRetry = true
	for _, w := range px.RetryOn.Words {
		switch w {
		case "conn-failure":
			be.NoConnRetry = false
		case "none":
		default:
			if w == "all-retryable-errors" {
				be.NoConnRetry = false
			}
			if px.Mode == "http" {
				b.unsupported(px.RetryOn.Pos, "retry-on "+w)
			}
		}
	}
}

func (b *builder) server(px *haproxy.Proxy, be *proxy.Backend, s *haproxy.Server) {
	opts := make([]string, 0, len(s.Set))
	for o := range s.Set {
		opts = append(opts, o)
	}
	sort.Strings(opts)
	for _, o := range opts {
		if !implemented("server", o) {
			b.unsupported(s.Pos, "server option "+o)
		}
	}
	sv := &proxy.Server{Name: s.Name, Weight: haproxy.DefaultServerWeight, Backup: s.Backup, Disabled: s.Disabled,
		MaxConn: s.Maxconn, MaxQueue: s.Maxqueue}
	if s.Set["weight"] {
		sv.Weight = s.Weight
	}
	sv.CheckAddr, sv.CheckPort = s.CheckAddr, s.Port
	sv.AgentAddr, sv.AgentPort = agentAddrPort(s)
	sv.SendProxy = sendProxy(s)
	b.serverPP2(s, sv)
	sv.Source = b.connSource(px, s)
	sv.UserTimeout, sv.Namespace, sv.Socks4 = s.TCPUserTimeout, b.serverNamespace(s), b.serverSocks4(s)
	if s.Set["id"] {
		sv.ID = s.ID
	}
	serverPool(s, sv)
	if v, ok := s.Other["redir"]; ok {
		if px.Mode != "http" {
			// HAProxy refuses it: "server cannot have cookie or redirect prefix in non-HTTP mode"
			b.unsupported(s.Pos, "server redir outside mode http")
		}
		sv.Redir = v
	}
	if v, ok := s.Other["minconn"]; ok {
		sv.MinConn, _ = strconv.Atoi(v)
		// minconn alone, or above maxconn, is the maxconn (HAProxy)
		sv.MaxConn = max(sv.MaxConn, sv.MinConn)
	}
	if v, ok := s.Other["slowstart"]; ok {
		sv.Slowstart, _, _ = haproxy.ParseTime(v) // checked by the parser
	}
	_, sv.OnMarkedDownShutdown = s.Other["on-marked-down"]
	_, sv.OnMarkedUpShutdownBackup = s.Other["on-marked-up"]
	if px.Mode == "http" {
		sv.Cookie, sv.CookieSet = s.Cookie, s.Cookie != ""
	}
	checkTLS, ruleTLS := b.serverTLS(px, s, sv)
	if v, ok := s.Other["npn"]; ok && s.SSL {
		b.npn(s.Pos, v, "server")
	}
	b.serverH2(px, s, sv)
	addr, err := b.serverTarget(px, s, sv) // transparent.go
	if _, dyn := s.Other["resolvers"]; dyn && strings.HasPrefix(s.Addr.Host, "_") {
		// an SRV name: the records give the port (serverResolution)
		// (its check follows the slot's address and port, or `port`)
		addr, err = ":0", nil
	}
	if err != nil {
		// Kept in the backend (ids, stats) but never picked.
		b.unsupported(s.Pos, err.Error())
		sv.Addr, sv.Disabled = s.Addr.Raw, true
	} else {
		sv.Addr = addr
		b.serverResolution(s, sv)
	}
	be.Servers = append(be.Servers, sv)
	b.track(px, s)
	b.noteUnchecked(px, s) // unchecked.go
	addr = checkTarget(addr)
	if s.Check && err == nil {
		c := b.check(px, s, addr)
		c.SendProxy, c.SendProxyV2Addrs = checkSendProxy(s), b.pp2NeverSendLocal
		c.TLS, c.TLSKeys = checkTLS, b.checkTLSKeys(px, s, checkTLS) // check_tlskeys.go
		// HAProxy's HTTP checks speak check-proto, else the server's
		// proto; over TLS, h2 when check-alpn makes the server choose it.
		c.H2 = sv.H2
		switch p := s.Other["check-proto"]; p {
		case "":
		case "h2":
			c.H2 = true
		case "h1":
			c.H2 = false
		default:
			b.unsupported(s.Pos, "server check-proto "+p)
		}
		c.H2Settings = b.plan.Proxy.H2 // the traffic's SETTINGS, as HAProxy's H2 mux sends
		c = viaSocks4(s, withServer(c, sv), sv)
		c.Connects = connectOptions(px, s, sv, ruleTLS) // checkconnect.go
		b.observe(px, s, sv, &c.Target)
		if c.SendProxy != 0 && !c.Connect.Clear && (c.Connect.Port != 0 || c.Connect.Addr != "") {
			b.unsupported(s.Pos, "send-proxy health checks through `http-check connect`")
		}
		b.plan.Checks = append(b.plan.Checks, c)
	}
	if _, agent := s.Other["agent-check"]; agent && err == nil {
		if _, off := s.Other["no-agent-check"]; !off {
			b.plan.Checks = append(b.plan.Checks, withServer(b.agent(px, s, addr), sv))
		}
	}
}

// agent is a server's agent-check: the agent at agent-addr (else the
// server's host) and agent-port, every agent-inter (HAProxy's default
// check interval without it), rise and fall 1, the check timeouts.
func (b *builder) agent(px *haproxy.Proxy, s *haproxy.Server, addr string) CheckSpec {
	inter := haproxy.DefaultCheckInter
	if v, ok := s.Other["agent-inter"]; ok {
		if d, _, err := haproxy.ParseTime(v); err == nil && d > 0 {
			inter = d
		}
	}
	agentAddr, port := agentAddrPort(s)
	return CheckSpec{AgentSend: []byte(s.Other["agent-send"]), OwnAddr: agentAddr, OwnPort: port, KeepAlive: checkKeepAlive(px), Target: check.Target{
		Backend: px.Name, Server: s.Name, Backup: s.Backup, Agent: true,
		Addr: check.CheckAddr(addr, agentAddr, port), Rise: 1, Fall: 1,
		Intervals:       check.Intervals{Inter: inter, FastInter: inter, DownInter: inter},
		Timeouts:        check.CheckTimeouts(inter, px.Timeouts.Connect, px.Timeouts.Check),
		LogHealthChecks: px.Options["log-health-checks"],
	}}
}

// agentAddrPort is where a server's agent connects: its `agent-addr` and
// `agent-port`, else its `addr` and `port` (HAProxy sets both checks'
// from those unless the agent's own were given).
func agentAddrPort(s *haproxy.Server) (string, int) {
	addr := cmp.Or(s.Other["agent-addr"], s.CheckAddr)
	port, _ := strconv.Atoi(s.Other["agent-port"])
	return addr, cmp.Or(port, s.Port)
}

func (b *builder) check(px *haproxy.Proxy, s *haproxy.Server, addr string) CheckSpec {
	// the defaults table's values for what the server line leaves unset:
	// fastinter and downinter default to inter
	inter := cmp.Or(s.Inter, haproxy.DefaultCheckInter)
	c := CheckSpec{Disabled: s.Disabled, OwnAddr: s.CheckAddr, OwnPort: s.Port, KeepAlive: checkKeepAlive(px), Target: check.Target{
		Backend: px.Name, Server: s.Name, Backup: s.Backup,
		Addr: check.CheckAddr(addr, s.CheckAddr, s.Port),
		Rise: cmp.Or(s.Rise, haproxy.DefaultCheckRise), Fall: cmp.Or(s.Fall, haproxy.DefaultCheckFall),
		Intervals:       check.Intervals{Inter: inter, FastInter: cmp.Or(s.FastInter, inter), DownInter: cmp.Or(s.DownInter, inter)},
		Timeouts:        check.CheckTimeouts(inter, px.Timeouts.Connect, px.Timeouts.Check),
		LogHealthChecks: px.Options["log-health-checks"],
	}}
	switch {
	case px.ExternalCheck != nil:
		c.External, c.HTTPMode = b.externalCheck(px), px.Mode == "http"
		// HAProxy kills the command when its interval is over
		c.Target.Timeouts = check.Timeouts{Connect: inter, Total: inter}
	case px.HTTPCheck.Enabled:
		c.HTTP, c.Expects, c.Connect = b.httpCheck(px)
		c.DisableOn404, c.Target.SendState = disableOn404(px), sendState(px)
	case px.TCPCheck.Option != nil:
		c.TCP = b.tcpCheck(px)
	}
	return c
}

// splice maps `option splice-auto|splice-request|splice-response` (`no
// option` and defaults already applied by the parser). The data path ORs a
// frontend's with its backend's, and the global `nosplice` overrides both.
func splice(px *haproxy.Proxy) proxy.SpliceOptions {
	return proxy.SpliceOptions{Auto: px.Options["splice-auto"], Request: px.Options["splice-request"],
		Response: px.Options["splice-response"]}
}

// compression is an HTTP proxy's `compression` statements (HAProxy's
// filter works on HTTP streams only).
func compression(px *haproxy.Proxy) *proxy.Compression {
	c := px.Compression
	if c == nil || mode(px) != proxy.ModeHTTP {
		return nil
	}
	return &proxy.Compression{Algos: c.Algos, Types: c.Types, Offload: c.Offload}
}
