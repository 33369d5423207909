package haproxy

// globalHandler parses one statement of the global section into g.
type globalHandler func(s *state, g *Global, l *kwLine)

// globalKeywordRow is one row of the global keyword table, HAProxy's
// cfg_kws for the global section: the keyword, its argument doc, whether
// it refuses any argument (HAProxy checks that before the keyword's own
// parser), and its handler. The keyword list and usage lines come from
// configuration.txt (globalKeywordNames, keywords_gen.go); a keyword
// without a row is kept raw and reported (globalUnsupported).
type globalKeywordRow struct {
	Name    string
	Args    string
	NoArgs  bool
	Handler globalHandler
}

var globalKeywordTable = []globalKeywordRow{
	// process model (global_process.go)
	{"daemon", "", true, (*state).globalDaemon},
	{"master-worker", "[no-exit-on-failure]", false, (*state).globalMasterWorker},
	{"pidfile", "<pidfile>", false, (*state).globalPidfile},
	{"chroot", "<jail dir>", false, (*state).globalChroot},
	{"uid", "<number>", false, (*state).globalAccount},
	{"gid", "<number>", false, (*state).globalAccount},
	{"user", "<user name>", false, (*state).globalAccount},
	{"group", "<group name>", false, (*state).globalAccount},
	{"maxconn", "<number>", false, (*state).globalMaxconnNbthread},
	{"nbthread", "<number>", false, (*state).globalMaxconnNbthread},
	{"ulimit-n", "<number>", false, (*state).globalLimit},
	{"fd-hard-limit", "<number>", false, (*state).globalLimit},
	{"maxconnrate", "<number>", false, (*state).globalLimit},
	{"maxsessrate", "<number>", false, (*state).globalLimit},
	{"maxsslrate", "<number>", false, (*state).globalLimit}, // reported (class table)
	{"spread-checks", "<0..50, in percent>", false, (*state).globalSpreadChecks},
	{"max-spread-checks", "<delay in milliseconds>", false, (*state).globalMaxSpreadChecks},
	// frontend UNIX binds only, which goha refuses (global_unixbind.go)
	{"unix-bind", "[ prefix <prefix> ] [ mode <mode> ] [ user <user> ] [ uid <uid> ] [ group <group> ] [ gid <gid> ]", false, (*state).globalUnixBind},
	{"hard-stop-after", "<time>", false, (*state).globalHardStopAfter},
	{"grace", "<time>", false, (*state).globalGrace},
	{"close-spread-time", "<time>", false, (*state).globalCloseSpreadTime},                               // global_close_spread.go
	{"default-path", "{ current | config | parent | origin <path> }", false, (*state).globalDefaultPath}, // global_default_path.go
	{"nosplice", "", true, (*state).globalNosplice},
	{"h2-workaround-bogus-websocket-clients", "", true, (*state).globalH2NoConnectProtocol},
	{"tune.comp.maxlevel", "<number>", false, (*state).globalCompMaxLevel},
	{"maxcomprate", "<number>", false, (*state).globalMaxCompRate}, // compression.go
	// message head limits (global_tune.go)
	{"tune.bufsize", "<number>", false, (*state).globalTuneBufsize},
	{"tune.maxrewrite", "<number>", false, (*state).globalTuneMaxRewrite},
	// variable size limits (global_vars.go)
	{"tune.vars.txn-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.vars.reqres-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.vars.sess-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.vars.check-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.vars.proc-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.vars.global-max-size", "<size>", false, (*state).globalTuneVars},
	{"tune.http.maxhdr", "<number>", false, (*state).globalTuneMaxHdr},
	{"h1-accept-payload-with-any-method", "", true, (*state).globalAnyMethodPayload},
	{"h1-case-adjust", "<from> <to>", false, (*state).globalH1CaseAdjust},
	{"h1-case-adjust-file", "<hdrs-file>", false, (*state).globalH1CaseAdjustFile},
	{"tune.http.logurilen", "<number>", false, (*state).globalLogURILen},
	{"tune.http.cookielen", "<number>", false, (*state).globalCookieLen},
	// honoured by gohaproxy's file-descriptor limit (the default)
	{"strict-limits", "", true, (*state).globalKeepRaw},
	{"node", "<name>", false, (*state).globalNode},
	// names the local peer of the peers sections (check.go peersWithoutLocal)
	{"localpeer", "<name>", false, (*state).globalLocalPeer},
	// read by load-server-state-from-file (server_state.go)
	{"server-state-base", "<directory>", false, (*state).globalServerState},
	{"server-state-file", "<file>", false, (*state).globalServerState},
	// the environment, changed as the file is read (global_env.go)
	{"setenv", "<name> <value>", false, (*state).globalEnv},
	{"presetenv", "<name> <value>", false, (*state).globalEnv},
	{"unsetenv", "[<name> ...]", false, (*state).globalEnv},
	{"resetenv", "[<name> ...]", false, (*state).globalEnv},
	// logs (global_logs.go)
	{"log", "<target> [len <length>] [format <format>] ... <facility> [max level [min level]]", false, (*state).globalLog},
	{"log-tag", "<string>", false, (*state).globalLogTag},
	// process variables (vars.go)
	{"set-var", "<var-name> <expr>", false, (*state).globalSetVar},
	{"set-var-fmt", "<var-name> <fmt>", false, (*state).globalSetVar},
	{"log-send-hostname", "[<string>]", false, (*state).globalLogSendHostname},
	// runtime API (global_logs.go)
	{"stats", "socket|timeout|maxconn|bind-process ...", false, (*state).globalStats},
	// what -c prints (global_misc.go)
	{"quiet", "", true, (*state).globalKeepRaw},
	{"zero-warning", "", true, (*state).globalKeepRaw},
	// honoured by send-proxy-v2 health checks (proxy/haproxycfg hasGlobal)
	{"pp2-never-send-local", "", true, (*state).globalKeepRaw},
	// honoured by TLS binds (crt: proxy_bind.go; options: proxy/haproxycfg tls.go)
	{"crt-base", "<dir>", false, (*state).globalKeepRaw},
	{"ca-base", "<dir>", false, (*state).globalKeepRaw},
	{"ssl-default-bind-options", "[<option>]...", false, (*state).globalSSLOptions},
	// honoured by TLS servers (proxy/haproxycfg tls_server.go)
	{"ssl-default-server-options", "[<option>]...", false, (*state).globalSSLOptions},
	{"ssl-server-verify", "none|required", false, (*state).globalServerVerify},
	// honoured by TLS binds' handshakes (global_ssl_capture.go; proxy/haproxycfg tls_capture.go)
	{"tune.ssl.capture-buffer-size", "<number>", false, (*state).globalSSLCapture},
	{"tune.ssl.capture-cipherlist-size", "<number>", false, (*state).globalSSLCapture},
	{"tune.ssl.keylog", "{ on | off }", false, (*state).globalSSLKeylog},
	// certificate files, chains, sessions; inert TLS tuning (global_tls_tune.go)
	{"tune.ssl.cachesize", "<number>", false, (*state).globalTLSInt},
	{"tune.ssl.maxrecord", "<number>", false, (*state).globalTLSInt},
	{"tune.ssl.hard-maxrecord", "<number>", false, (*state).globalTLSInt},
	{"maxsslconn", "<number>", false, (*state).globalTLSInt},
	{"tune.ssl.lifetime", "<timeout>", false, (*state).globalTLSLifetime},
	{"tune.ssl.force-private-cache", "", false, (*state).globalTLSFlag},
	{"ssl-mode-async", "", false, (*state).globalTLSFlag},
	{"ssl-skip-self-issued-ca", "", false, (*state).globalTLSFlag},
	{"ssl-load-extra-del-ext", "", false, (*state).globalTLSFlag},
	{"ssl-load-extra-files", "<none|all|bundle|sctl|ocsp|issuer|key>*", false, (*state).globalTLSExtraFiles},
	{"ssl-dh-param-file", "<file>", false, (*state).globalTLSDHParamFile},
	{"tune.ssl.default-dh-param", "<number>", false, (*state).globalTLSDefaultDH},
	{"issuers-chain-path", "<dir>", false, (*state).globalTLSIssuers},
	{"ssl-provider", "<name>", false, (*state).globalTLSProvider},
	{"ssl-provider-path", "<path>", false, (*state).globalTLSProvider},
	{"ssl-propquery", "<query>", false, (*state).globalTLSProvider},
	// honoured by HTTP/2 connections (proxy/haproxycfg h2.go)
	{"tune.h2.header-table-size", "<number>", false, (*state).globalTuneH2},
	{"tune.h2.initial-window-size", "<number>", false, (*state).globalTuneH2},
	{"tune.h2.max-concurrent-streams", "<number>", false, (*state).globalTuneH2},
	{"tune.h2.max-frame-size", "<number>", false, (*state).globalTuneH2},
	// checked, then reported (global_misc.go)
	{"ssl-default-bind-ciphers", "<ciphers>", false, (*state).globalCiphers},
	{"ssl-default-server-ciphers", "<ciphers>", false, (*state).globalCiphers},
	{"ssl-default-bind-ciphersuites", "<ciphersuites>", false, (*state).globalCiphers},
	{"ssl-default-server-ciphersuites", "<ciphersuites>", false, (*state).globalCiphers},
	{"description", "<text>", false, (*state).globalDescription},
	{"lua-load", "<file>", false, (*state).globalLuaLoad},
	{"lua-load-per-thread", "<file>", false, (*state).globalLuaLoad},
	{"cpu-map", "[auto:]<thread-group>[/<thread-set>] <cpu-set>...", false, (*state).globalCPUMap},
	{"noepoll", "", true, nil},
	{"nopoll", "", true, nil},
	{"nogetaddrinfo", "", true, nil},
	{"noreuseport", "", true, (*state).globalNoReusePort},
	{"insecure-fork-wanted", "", true, nil},
	{"insecure-setuid-wanted", "", true, nil},
}

// globalRows indexes globalKeywordTable by keyword.
var globalRows = func() map[string]globalKeywordRow {
	m := make(map[string]globalKeywordRow, len(globalKeywordTable))
	for _, r := range globalKeywordTable {
		m[r.Name] = r
	}
	return m
}()

// global handles one line of the global section: the checks HAProxy makes
// before any keyword parser runs, then the keyword's handler.
func (s *state) global(p Pos, w []string) {
	kw := w[0]
	if kw == "nbproc" {
		s.alert(p, "nbproc is not supported any more since HAProxy 2.5. Threads will automatically be used on multi-processor machines if available.")
		return
	}
	if kw == "no" && len(w) > 1 {
		s.globalNo(p, w)
		return
	}
	if !globalKeywordSet[kw] && kw != "stats" && kw != "master-worker" && kw != "nbthread" {
		s.alert(p, "unknown keyword '%s' in 'global' section%s", kw, didYouMean(kw, globalSuggestions))
		return
	}
	if kw == "localpeer" && s.localPeerCmdline != "" {
		// -L wins; HAProxy says so at each "localpeer" line.
		s.warn(p, "'%s' ignored since it is already set by using the '-L' command line argument.", kw)
		return
	}
	if kw == "localpeer" && s.peersDeclared() {
		// HAProxy's peers sections already took the name they run as.
		s.warn(p, "'%s' ignored since it is used after 'peers' section.", kw)
		return
	}
	row := globalRows[kw]
	if row.NoArgs && len(w) > 1 {
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", kw, w[1])
		return
	}
	h := row.Handler
	if h == nil {
		h = (*state).globalUnsupported
	}
	h(s, &s.cfg.Global, &kwLine{p: p, w: w, kw: kw})
}

// globalUnsupported keeps a known global keyword goha does not model raw,
// and reports it.
func (s *state) globalUnsupported(g *Global, l *kwLine) {
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
	if r, ok := ClassOf("global", l.kw); ok && r.Class == Implemented {
		return // read from Global.Raw by the runtime adapter (its row says where)
	}
	s.d.Unsupported(l.p.File, l.p.Line, l.kw)
}

// globalKeepRaw keeps a keyword that something reads from Global.Raw
// (quiet and zero-warning: CheckFiles; pp2-never-send-local and
// strict-limits: proxy/haproxycfg).
func (s *state) globalKeepRaw(g *Global, l *kwLine) {
	if l.kw == "quiet" {
		// From here on HAProxy prints nothing (see applyQuiet).
		s.d.Raw(Notice, l.p.File, l.p.Line, quietMarker).Goha = true
	}
	g.Raw = append(g.Raw, Statement{Pos: l.p, Args: l.w})
}

// globalNo is a global keyword prefixed with "no". HAProxy 2.6 takes the
// prefix on a few flags only and names them when it refuses one. The
// statement is kept whole in Raw ("no", "strict-limits").
func (s *state) globalNo(p Pos, w []string) {
	switch w[1] {
	case "strict-limits":
		// honoured: a failed setrlimit then only warns
	case "busy-polling", "set-dumpable", "insecure-fork-wanted", "numa-cpu-mapping":
		s.d.Unsupported(p.File, p.Line, "no "+w[1])
	case "log":
		// forgets the global log targets declared so far
		if len(w) > 2 {
			s.alert(p, "log : 'no log' does not expect arguments")
			return
		}
		s.cfg.Global.Logs = nil
		return
	case "option":
		// an allowed prefix, but no global keyword (and 2.6 suggests none)
		s.alert(p, "unknown keyword 'option' in 'global' section")
		return
	default:
		// HAProxy refuses the prefix, then parses the rest as usual.
		s.alertRaw(p.File, p.Line, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
		s.fileFatal = true
		s.global(p, w[1:])
		return
	}
	if len(w) > 2 {
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", w[1], w[2])
		return
	}
	s.cfg.Global.Raw = append(s.cfg.Global.Raw, Statement{Pos: p, Args: w})
}
