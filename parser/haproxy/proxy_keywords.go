package haproxy

import (
	"fmt"
	"strings"
)

// kwLine is one statement as a keyword handler sees it: the words (after
// a "no"/"default" prefix), where it came from, and, in a proxy section,
// the matrix row the words matched (zero when none did).
type kwLine struct {
	p          Pos
	w          []string
	kw         string
	neg, reset bool // "no ..." / "default ..."
	row        proxyKeyword
}

// arg is the i-th word, "" past the end (statements may lack arguments).
func (l *kwLine) arg(i int) string {
	if i < len(l.w) {
		return l.w[i]
	}
	return ""
}

// proxyHandler parses one statement into px; true = stop reading the
// configuration (HAProxy aborts there).
type proxyHandler func(s *state, px *Proxy, l *kwLine) bool

// proxyKeywordRow is one row of the proxy keyword table, HAProxy's cfg_kws
// for the proxy sections: the first word, its argument doc, and the
// handler. The sections where a keyword is allowed, and its usage line,
// come from configuration.txt's matrix (Keywords, keywords_gen.go); the
// table only adds what the matrix cannot say, the handler.
type proxyKeywordRow struct {
	Name    string
	Args    string
	Handler proxyHandler
}

// proxyKeywordTable holds one row per first word that has its own
// handler; every other keyword of the matrix is kept raw and reported
// (parseRawKeyword). The handlers live in proxy_*.go by family.
var proxyKeywordTable = []proxyKeywordRow{
	// section state (proxy_misc.go)
	{"mode", "{tcp|http|log}", (*state).parseMode},
	{"disabled", "", (*state).parseDisabled},
	{"enabled", "", (*state).parseEnabled},
	{"maxconn", "<conns>", (*state).parseMaxconnRetries},
	{"retries", "<value>", (*state).parseMaxconnRetries},
	{"fullconn", "<conns>", (*state).parseMaxconnRetries},
	{"retry-on", "<keywords>", (*state).parseRetryOn},
	{"rate-limit", "sessions <rate>", (*state).parseRateLimit},
	{"dispatch", "<address>:<port>", (*state).parseDispatch},
	{"source", "<addr>[:<port>] [usesrc { <addr2>[:<port2>] | client | clientip | hdr_ip(<hdr>[,<occ>]) }] [interface <name>]", (*state).parseProxySource},
	{"http-reuse", "{ never | safe | aggressive | always }", (*state).parseHTTPReuse},
	{"description", "<string>", (*state).parseDescription},
	{"id", "<value>", (*state).parseID},
	{"load-server-state-from-file", "{ global | local | none }", (*state).parseLoadServerState},
	{"server-state-file-name", "[ { use-backend-name | <file> } ]", (*state).parseLoadServerState},
	{"capture", "request|response header <name> len <length>", (*state).parseCapture},
	{"declare", "capture request|response len <length>", (*state).parseCapture},
	// listeners and servers (proxy_bind.go, server.go)
	{"bind", "[<address>]:<port_range> [, ...] [param*]", (*state).parseBind},
	{"server", "<name> <address>[:[port]] [param*]", (*state).parseServer},
	{"default-server", "[param*]", (*state).parseServer},
	{"server-template", "<prefix> <num | range> <fqdn>[:<port>] [params*]", (*state).parseServerTemplate},
	// load balancing (proxy_balance.go)
	{"balance", "<algorithm> [<arguments>]", (*state).parseBalance},
	{"hash-type", "<method> <function> <modifier>", (*state).parseHashType},
	{"hash-balance-factor", "<factor>", (*state).parseHashBalanceFactor},
	{"max-keep-alive-queue", "<value>", (*state).parseKeepAliveQueue},
	{"max-session-srv-conns", "<nb>", (*state).parseSessionSrvConns},
	// TCP keepalive probes (proxy_tcpka.go)
	{"clitcpka-cnt", "<count>", (*state).parseTCPKeepAlive},
	{"clitcpka-idle", "<timeout>", (*state).parseTCPKeepAlive},
	{"clitcpka-intvl", "<timeout>", (*state).parseTCPKeepAlive},
	{"srvtcpka-cnt", "<count>", (*state).parseTCPKeepAlive},
	{"srvtcpka-idle", "<timeout>", (*state).parseTCPKeepAlive},
	{"srvtcpka-intvl", "<timeout>", (*state).parseTCPKeepAlive},
	// timeouts (proxy_timeouts.go)
	{"timeout", "<name> <timeout>", (*state).parseTimeout},
	// options (proxy_options.go)
	{"option", "<name> [arguments]", (*state).parseOption},
	// health checks (proxy_checks.go)
	{"http-check", "<action> [arguments]", (*state).parseHTTPCheck},
	{"tcp-check", "<action> [arguments]", (*state).parseTCPCheck},
	// switching and ACLs (proxy_switching.go)
	{"acl", "<aclname> <criterion> [flags] [operator] <value> ...", (*state).parseACL},
	{"use_backend", "<backend> [{if | unless} <condition>]", (*state).parseUseBackend},
	{"default_backend", "<backend>", (*state).parseDefaultBackend},
	// rules (proxy_http.go, proxy_tcp.go)
	{"http-request", "<action> [options...] [ { if | unless } <condition> ]", (*state).parseHTTPRule},
	{"http-response", "<action> <options...> [ { if | unless } <condition> ]", (*state).parseHTTPRule},
	{"http-after-response", "<action> <options...> [ { if | unless } <condition> ]", (*state).parseHTTPRule},
	{"redirect", "location|prefix|scheme <to> [code <code>] <option> [{if | unless} <condition>]", (*state).parseRedirect},
	{"tcp-request", "<where> <action> [param*] [{if | unless} <condition>]", (*state).parseTCPRequest},
	{"tcp-response", "<where> <action> [param*] [{if | unless} <condition>]", (*state).parseTCPResponse},
	{"compression", "algo|type|offload ...", (*state).parseCompression},
	{"filter", "<name> [param*]", (*state).parseFilter},
	{"http-error", "status <code> [content-type <type>] ...", (*state).parseHTTPError},
	// persistence (proxy_persist.go)
	{"cookie", "<name> [options]", (*state).parseCookie},
	{"force-persist", "{ if | unless } <condition>", (*state).parsePersistRule},
	{"ignore-persist", "{ if | unless } <condition>", (*state).parsePersistRule},
	{"persist", "rdp-cookie[(<name>)]", (*state).parsePersist},
	{"dynamic-cookie-key", "<string>", (*state).parseDynamicCookieKey},
	{"stick", "on|match|store-request|store-response <pattern> [table <table>] [{if | unless} <condition>]", (*state).parseStick},
	{"stick-table", "type <type> size <size> [expire <expire>] ...", (*state).parseStickTable},
	// stats and logs (proxy_stats.go, proxy_logs.go)
	{"stats", "<keyword> [arguments]", (*state).parseStats},
	{"log", "<target> [len <length>] [format <format>] ... <facility> [<level> [<minlevel>]]", (*state).parseLog},
	{"log-format", "<string>", (*state).parseLogFormat},
	{"log-format-sd", "<string>", (*state).parseLogFormatSD},
	{"error-log-format", "<string>", (*state).parseErrorLogFormat},
	{"log-tag", "<string>", (*state).parseLogTag},
	{"unique-id-format", "<string>", (*state).parseUniqueID},
	{"unique-id-header", "<name>", (*state).parseUniqueID},
	{"errorfile", "<code> <file>", (*state).parseErrorfile},
	// answers and tags on the proxy's behalf (proxy_monitor.go)
	{"monitor-uri", "<uri>", (*state).parseMonitorURI},
	{"monitor", "fail { if | unless } <condition>", (*state).parseMonitor},
	{"http-send-name-header", "<header>", (*state).parseSendNameHeader},
	{"use-server", "<server> { if | unless } <condition>", (*state).parseUseServer},
	{"errorfiles", "<name> [<code> ...]", (*state).parseErrorfiles},
	{"errorloc", "<code> <url>", (*state).parseErrorloc},
	{"errorloc302", "<code> <url>", (*state).parseErrorloc},
	{"errorloc303", "<code> <url>", (*state).parseErrorloc},
	{"use-fcgi-app", "<name>", (*state).parseUseFCGIApp},
}

// proxyHandlers indexes proxyKeywordTable by first word.
var proxyHandlers = func() map[string]proxyHandler {
	m := make(map[string]proxyHandler, len(proxyKeywordTable))
	for _, r := range proxyKeywordTable {
		m[r.Name] = r.Handler
	}
	return m
}()

// checkOptionNames are the options whose HAProxy parser (tcpcheck.c) warns
// about a missing backend capability with the option's name alone.
var checkOptionNames = map[string]bool{"httpchk": true, "tcp-check": true, "redis-check": true, "mysql-check": true,
	"pgsql-check": true, "smtpchk": true, "ldap-check": true, "ssl-hello-chk": true}

// noCapabilityCheck are keywords whose HAProxy 2.6 parser never checks the
// proxy's capabilities: in a frontend they are taken silently (measured
// with haproxy -c).
var noCapabilityCheck = map[string]bool{"hash-balance-factor": true,
	"max-keep-alive-queue": true, // its own warning (parseKeepAliveQueue)
	// their own warning (parseTCPKeepAlive)
	"clitcpka-cnt": true, "clitcpka-idle": true, "clitcpka-intvl": true,
	"srvtcpka-cnt": true, "srvtcpka-idle": true, "srvtcpka-intvl": true,
	"tcp-response": true, // its own alert (parseTCPResponse)
	"use-fcgi-app": true, // its own alert (parseUseFCGIApp)
}

// proxyStatement handles one line in a proxy: the checks HAProxy's section
// parser makes before any keyword parser runs (unknown keyword, negation,
// section and capability), then the keyword's handler; true = abort.
func (s *state) proxyStatement(px *Proxy, p Pos, w []string) bool {
	kw := w[0]
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	neg, reset := false, false
	if (kw == "no" || kw == "default") && len(w) > 1 {
		neg, reset = kw == "no", kw == "default"
		w = w[1:]
		kw = w[0]
	}
	// HAProxy's argument arrays end at the first empty word, so an empty
	// quoted argument hides everything after it from keyword parsers.
	for i, x := range w {
		if x == "" {
			w = w[:i]
			break
		}
	}
	if len(w) == 0 {
		return false
	}
	if kw == "appsession" {
		// gone since 1.6; HAProxy 2.6 still names it in every section
		s.alert(p, "'%s' is not supported anymore since HAProxy 1.6.", kw)
		return false
	}
	row, known := lookupProxyKeyword(w)
	_, family := proxyIndex[kw]
	if !known && !family && kw != "transparent" {
		s.alert(p, "unknown keyword '%s' in '%s' section%s", kw, px.Kind, didYouMean(kw, proxySuggestions))
		return false
	}
	if !known && kw == "option" {
		if sug := didYouMeanOption(arg(1)); sug != "" {
			s.alert(p, "unknown option '%s'%s", arg(1), sug)
		} else {
			s.alert(p, "unknown option '%s'.", arg(1))
		}
		return false
	}
	if (neg || reset) && known && !row.Negatable {
		s.alertRaw(p.File, p.Line, fmt.Sprintf("negation/default is not supported for %s '%s'.", kw, strings.TrimPrefix(row.Name, kw+" ")))
		s.fileFatal = true
		return false
	}
	if known && row.NamedDefaultsOnly && px.Kind == "defaults" && px.Name == "" {
		switch {
		case strings.HasPrefix(row.Name, "tcp-request "): // the tcp rule parsers' own wording
			s.alert(p, "%s is not allowed in anonymous 'defaults' sections", row.Name)
		case strings.HasPrefix(row.Name, "tcp-response "):
			s.alert(p, "%s is only allowed in 'backend' sections or 'defaults' section with a name", row.Name)
		default:
			s.alert(p, "'%s' not allowed in anonymous 'defaults' section.", row.Name)
		}
		return false
	}
	if known && !row.Allowed(px.Kind) && (kw == "server" || kw == "server-template") {
		// The server parser has its own wording (and its own prefix).
		if px.Kind == "defaults" {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : '%s' not allowed in 'defaults' section.", p.File, p.Line, kw))
		} else {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : parsing [%s:%d] : '%s' not allowed because %s '%s' has no backend capability.",
				p.File, p.Line, p.File, p.Line, kw, px.Kind, px.Name))
		}
		s.fileFatal = true
		return false
	}
	if kw == "tcp-request" && px.Kind == "backend" && len(w) > 1 && (w[1] == "connection" || w[1] == "session") {
		// HAProxy's tcp-request parser refuses these itself (the
		// generic capability warning is not reached).
		s.alert(p, "%s %s is not allowed because %s %s is not a frontend", kw, w[1], px.Kind, px.Name)
		return false
	}
	if known && !row.Allowed(px.Kind) && !noCapabilityCheck[kw] {
		if px.Kind == "defaults" {
			s.alert(p, "'%s' not allowed in 'defaults' section.", row.Name)
			return false
		}
		s.capabilityWarning(px, p, w, row)
		// HAProxy still parses the arguments (and may reject them).
	}
	l := &kwLine{p: p, w: w, kw: kw, neg: neg, reset: reset, row: row}
	if kw == "transparent" { // registered by HAProxy, not in the matrix
		return s.parseTransparent(px, l)
	}
	if h := proxyHandlers[kw]; h != nil {
		return h(s, px, l)
	}
	return s.parseRawKeyword(px, l)
}

// capabilityWarning is HAProxy's warning for a keyword the section's
// capabilities make useless (a backend keyword in a frontend, ...).
func (s *state) capabilityWarning(px *Proxy, p Pos, w []string, row proxyKeyword) {
	kw := w[0]
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	missing := "backend"
	if px.Cap == CapBackend {
		missing = "frontend"
	}
	// HAProxy names an option without the word "option" (its check
	// option parsers name it alone), and has its own sentence for
	// the log formats in a backend.
	name := strings.TrimPrefix(row.Name, "option ")
	switch {
	case kw == "option" && checkOptionNames[arg(1)]:
		name = arg(1)
	case kw == "tcp-check" || kw == "http-check" || kw == "monitor":
		name = kw
	}
	switch {
	case kw == "option" && (name == "httplog" || name == "httpslog") && px.Cap == CapBackend:
		s.warn(p, "%s '%s' : 'option %s' directive is ignored in backends.", px.Kind, px.Name, name)
	case (kw == "log-format" || kw == "log-format-sd" || kw == "error-log-format") && px.Cap == CapBackend:
		s.warn(p, "%s '%s' : '%s' directive is ignored in backends.", px.Kind, px.Name, kw)
	default:
		s.warn(p, "'%s' ignored because %s '%s' has no %s capability.", name, px.Kind, px.Name, missing)
	}
	if kw == "tcp-check" || kw == "http-check" && (arg(1) == "disable-on-404" || arg(1) == "send-state") {
		// HAProxy then prints its (empty) error message as a warning
		s.warn(p, "(null)")
	}
}

// parseRawKeyword keeps a known keyword goha does not model raw, after the
// argument checks HAProxy's parser makes (rawChecks), and reports it.
func (s *state) parseRawKeyword(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	s.keepUnsupported(px, l)
	return false
}

// rawCheck runs the keyword's argument check, if it has one; false = the
// line was refused (alerted).
func (s *state) rawCheck(l *kwLine) bool {
	chk := rawChecks[l.kw]
	if chk == nil {
		return true
	}
	msg := chk(l.w)
	if msg == "" {
		return true
	}
	first, rest := splitMessage(msg)
	s.alert(l.p, "%s", first)
	if len(rest) > 0 {
		s.d.List[len(s.d.List)-1].Extra = rest
	}
	return false
}

// keepUnsupported keeps a statement raw and reports it under its matrix
// name.
func (s *state) keepUnsupported(px *Proxy, l *kwLine) {
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w})
	if r, ok := ClassOf("proxy", l.row.Name); ok && r.Class == Implemented {
		return // typed after parsing from Raw (its row says where)
	}
	s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: l.p, Args: l.w})
	s.d.Unsupported(l.p.File, l.p.Line, l.row.Name)
}

// tail is w[i:], empty when w is shorter: statements may lack any argument.
func tail(w []string, i int) []string {
	if i >= len(w) {
		return nil
	}
	return w[i:]
}
