package haproxy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

var timeoutNames = []string{"client", "server", "connect", "check", "queue", "http-keep-alive",
	"http-request", "tunnel", "tarpit", "client-fin", "server-fin"}

var balanceAlgos = map[string]bool{"roundrobin": true, "static-rr": true, "leastconn": true,
	"first": true, "source": true, "uri": true, "url_param": true, "hdr": true, "random": true,
	"rdp-cookie": true, "hash": true}

// newProxy starts a proxy from its defaults, applying HAProxy's inheritance:
// a frontend/backend/listen copies the last (or "from"-named) defaults.
func newProxy(kind, name string, p Pos, def *Proxy) *Proxy {
	px := &Proxy{Kind: kind, Name: name, Pos: p, Mode: "tcp", Timeouts: map[string]time.Duration{},
		Options: map[string]bool{}, ErrorFiles: map[int]string{}}
	switch kind {
	case "frontend":
		px.Cap = CapFrontend
	case "backend":
		px.Cap = CapBackend
	default:
		px.Cap = CapFrontend | CapBackend
	}
	if def == nil {
		return px
	}
	px.Mode = def.Mode
	for k, v := range def.Timeouts {
		px.Timeouts[k] = v
	}
	for k, v := range def.Options {
		px.Options[k] = v
	}
	for k, v := range def.ErrorFiles {
		px.ErrorFiles[k] = v
	}
	px.Balance, px.HashType, px.HashBalanceFactor = def.Balance, def.HashType, def.HashBalanceFactor
	px.Maxconn, px.Retries, px.RetriesSet = def.Maxconn, def.Retries, def.RetriesSet
	px.RedispatchEvery, px.RetryOn = def.RedispatchEvery, def.RetryOn
	px.Forwardfor = def.Forwardfor
	px.HTTPCheck = def.HTTPCheck
	// a copy: proxies append their own steps (a shared array would let one
	// proxy's step overwrite another's)
	px.HTTPCheck.Rules = append([]CheckStep(nil), def.HTTPCheck.Rules...)
	px.TCPCheck = def.TCPCheck
	px.TCPCheck.ownRules, px.TCPCheck.unusedTCP, px.TCPCheck.unusedHTTP = false, false, false
	px.DefaultServer = def.DefaultServer
	px.DefaultBack, px.DefaultBackAt = def.DefaultBack, def.DefaultBackAt
	px.Logs = append([]LogTarget(nil), def.Logs...)
	px.LogFormat, px.LogFormatPos, px.lfPos = def.LogFormat, def.LogFormatPos, def.lfPos
	px.LogTag = def.LogTag
	px.Stats = def.Stats
	return px
}

// checkOptionNames are the options whose HAProxy parser (tcpcheck.c) warns
// about a missing backend capability with the option's name alone.
var checkOptionNames = map[string]bool{"httpchk": true, "tcp-check": true, "redis-check": true, "mysql-check": true,
	"pgsql-check": true, "smtpchk": true, "ldap-check": true, "ssl-hello-chk": true}

// proxy parses a defaults/frontend/backend/listen section; true = abort.
func (s *state) proxy(p Pos, sec *astSection) bool {
	name := ""
	if len(sec.Args) > 0 {
		name = sec.Args[0]
	}
	if name == "" && sec.Kind != "defaults" {
		s.alert(p, "'%s' expects an <id> argument", sec.Kind)
		return true
	}
	if sec.Kind != "defaults" {
		// HAProxy 2.6 only complains when the earlier section has every
		// capability of the new one (a listen may follow a backend of the
		// same name, not the other way round).
		if prev := s.proxies[name]; prev != nil && prev.Cap&kindCap(sec.Kind) == kindCap(sec.Kind) {
			prevKind := prev.Kind
			if prevKind == "listen" {
				prevKind = "proxy"
			}
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Parsing [%s:%d]: %s '%s' has the same name as %s '%s' declared at %s:%d.",
				p.File, p.Line, sec.Kind, name, prevKind, name, prev.Pos.File, prev.Pos.Line))
			s.fileFatal = true
		}
		if s.headerExtraArgs(p, sec) {
			return false
		}
	}
	// A proxy starts from the last defaults section; a defaults section
	// without "from" starts from HAProxy's built-in defaults.
	def := s.lastDef
	if sec.Kind == "defaults" {
		def = nil
	}
	from := ""
	if len(sec.Args) >= 3 && sec.Args[1] == "from" {
		from = sec.Args[2]
		def = s.defaults[from]
		if def == nil {
			s.alert(p, "defaults section '%s' not found for proxy '%s'.", from, name)
			s.abort = true
			return true
		}
	}
	s.defaultsUse(p, def, from != "")
	px := newProxy(sec.Kind, name, p, def)
	px.From = from
	for _, st := range sec.Body {
		w := append([]string{st.Keyword}, st.Args...)
		s.lastLine = st.Pos.Line
		if s.proxyStatement(px, Pos{p.File, st.Pos.Line}, w) {
			return true
		}
	}
	switch sec.Kind {
	case "defaults":
		if s.defaults == nil {
			s.defaults = map[string]*Proxy{}
		}
		if name != "" {
			s.defaults[name] = px
		}
		s.lastDef = px
		s.cfg.Defaults = append(s.cfg.Defaults, px)
	default:
		if prev, dup := s.proxies[name]; !dup || prev.Cap != px.Cap && px.Cap&CapBackend != 0 {
			s.proxies[name] = px
		}
		s.cfg.Proxies = append(s.cfg.Proxies, px)
		if px.Cap&CapFrontend != 0 {
			s.cfg.Frontends = append(s.cfg.Frontends, px)
		}
		if px.Cap&CapBackend != 0 {
			s.cfg.Backends = append(s.cfg.Backends, px)
		}
	}
	return false
}

func kindCap(kind string) Capability {
	switch kind {
	case "frontend":
		return CapFrontend
	case "backend":
		return CapBackend
	}
	return CapFrontend | CapBackend
}

// proxyStatement handles one line in a proxy; true = abort.
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
	row, known := lookupProxyKeyword(w)
	_, family := proxyIndex[kw]
	if !known && !family && kw != "transparent" {
		s.alert(p, "unknown keyword '%s' in '%s' section%s", kw, px.Kind, didYouMean(kw, proxyFirstWords))
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
		s.alert(p, "'%s' not allowed in anonymous 'defaults' section.", row.Name)
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
	if known && !row.Allowed(px.Kind) && !noCapabilityCheck[kw] {
		if px.Kind != "defaults" {
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
			case kw == "tcp-check" || kw == "http-check":
				name = kw
			}
			switch {
			case kw == "option" && (name == "httplog" || name == "httpslog") && px.Cap == CapBackend:
				s.warn(p, "%s '%s' : 'option %s' directive is ignored in backends.", px.Kind, px.Name, name)
			default:
				s.warn(p, "'%s' ignored because %s '%s' has no %s capability.", name, px.Kind, px.Name, missing)
			}
			if kw == "tcp-check" || kw == "http-check" && (arg(1) == "disable-on-404" || arg(1) == "send-state") {
				// HAProxy then prints its (empty) error message as a warning
				s.warn(p, "(null)")
			}
			// HAProxy still parses the arguments (and may reject them).
		} else {
			s.alert(p, "'%s' not allowed in 'defaults' section.", row.Name)
			return false
		}
	}
	switch kw {
	case "mode":
		switch arg(1) {
		case "http", "tcp", "log":
			px.Mode = arg(1)
		case "health":
			s.alert(p, "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.")
		default:
			s.alert(p, "unknown proxy mode '%s'.", arg(1))
		}
	case "bind":
		return s.bind(px, p, w)
	case "server", "default-server":
		s.server(px, p, w)
	case "balance":
		if len(w) < 2 {
			return false // 2.6 silently keeps the previous algorithm
		}
		algo := arg(1)
		base := algo
		if i := strings.IndexByte(algo, '('); i > 0 {
			base = algo[:i]
		}
		if !balanceAlgos[base] || base == "hdr" && base == algo {
			s.alert(p, "balance only supports 'roundrobin', 'static-rr', 'leastconn', 'source', 'uri', 'url_param', 'hdr(name)' and 'rdp-cookie(name)' options.")
			return false
		}
		if msg := checkBalanceArgs(base, algo, w[2:]); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		px.Balance = Balance{Algorithm: base, Args: append([]string{algo}, w[2:]...)}
	case "hash-type":
		if arg(1) != "consistent" && arg(1) != "map-based" {
			s.alert(p, "'hash-type' only supports 'consistent' and 'map-based'.")
			return false
		}
		px.HashType = w[1:]
	case "cookie":
		if arg(1) == "" {
			s.alert(p, "'cookie' expects <cookie_name> as argument.")
			return false
		}
		s.timerWarnAfter(p, w, "maxidle", "maxlife")
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, "cookie")
	case "timeout":
		name := arg(1)
		if !contains(timeoutNames, name) {
			s.alert(p, "'timeout' supports 'client', 'server', 'connect', 'check', 'queue', 'http-keep-alive', 'http-request', 'tunnel', 'tarpit', 'client-fin' and 'server-fin' (got '%s')", name)
			return false
		}
		if arg(2) == "" {
			s.alert(p, "'timeout %s' expects an integer value (in milliseconds)", name)
			return false
		}
		d, bad, err := ParseTime(arg(2))
		if err == nil {
			s.timerWarn(p, arg(2))
		}
		switch {
		case err == errTimeOverflow:
			s.alert(p, "timer overflow in argument '%s' to 'timeout %s' (maximum value is 2147483647 ms or ~24.8 days)", arg(2), name)
			return false
		case err != nil:
			s.alert(p, "unexpected character '%c' in 'timeout %s'", arg(2)[bad], name)
			return false
		case len(w) > 3:
			s.alert(p, "'timeout %s' : unexpected extra argument '%s' after value '%s'.", name, arg(3), arg(2))
			return false
		}
		px.Timeouts[name] = d
	case "retry-on":
		s.retryOn(px, p, w)
	case "maxconn", "retries":
		// Only a missing value is an error: HAProxy reads it with atol().
		if arg(1) == "" {
			s.alert(p, "'%s' expects an integer argument.", kw)
			return false
		}
		n, _, _ := leadingInt(arg(1))
		if kw == "maxconn" {
			px.Maxconn = n
		} else {
			px.Retries, px.RetriesSet = n, true
		}
	case "option":
		if reset {
			// `default option X` puts X back to HAProxy's built-in state
			// (off), dropping what defaults or earlier lines said.
			delete(px.Options, w[1])
			if w[1] == "httplog" {
				delete(px.Options, "httplog clf")
			}
			return false
		}
		return s.option(px, p, w, neg)
	case "http-check":
		switch arg(1) {
		case "expect":
			if len(w) < 3 {
				s.alert(p, "'http-check expect' : expects at least a matching pattern as arguments.")
				return false
			}
		case "send":
			for i := 2; i < len(w); i++ {
				switch w[i] {
				case "comment", "meth", "uri", "uri-lf", "ver", "hdr", "body", "body-lf":
					i++
					if w[i-1] == "hdr" {
						i++
					}
				default:
					s.alert(p, "'http-check send' : expects 'comment', 'meth', 'uri', 'uri-lf', 'ver', 'hdr', 'body' or 'body-lf' but got '%s' as argument..", w[i])
					return false
				}
			}
		}
		px.HTTPCheck.Rules = append(px.HTTPCheck.Rules, ParseHTTPCheckStep(p, w))
		if a := arg(1); a != "disable-on-404" && a != "send-state" && !px.HTTPCheck.Enabled {
			px.TCPCheck.unusedHTTP = true
		}
	case "tcp-check":
		if msg := rawChecks[kw](w); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		// proxy/haproxycfg runs them (or reports the forms it cannot); these
		// actions proxy/check has no equivalent for
		switch arg(1) {
		case "set-var", "set-var-fmt", "unset-var":
			s.d.Unsupported(p.File, p.Line, "tcp-check "+arg(1))
		default:
			if strings.HasPrefix(arg(1), "set-var") || strings.HasPrefix(arg(1), "unset-var") {
				s.d.Unsupported(p.File, p.Line, "tcp-check "+arg(1))
			}
		}
		if !px.TCPCheck.ownRules {
			px.TCPCheck.Rules, px.TCPCheck.ownRules = nil, true
		}
		px.TCPCheck.Rules = append(px.TCPCheck.Rules, ParseTCPCheckStep(p, w))
		if o := px.TCPCheck.Option; o == nil || o.Name != "tcp-check" {
			px.TCPCheck.unusedTCP = true
		}
	case "acl":
		if arg(1) == "" || arg(2) == "" {
			s.alert(p, "'acl' expects an ACL name and a fetch method.")
			return false
		}
		a := newACL(p, arg(1), w[2:])
		if msg := s.checkACL(a); msg != "" {
			s.alert(p, "error detected while parsing ACL '%s' : %s.", a.Name, msg)
			return false
		}
		if noPatternWarning(a) {
			x := s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing acl keyword '%s' :", a.Sample.Text))
			x.Extra = []string{
				"  no pattern to match against were provided, so this ACL will never match.",
				"  If this is what you intended, please add '--' to get rid of this warning.",
				"  If you intended to match only for existence, please use '-m found'.",
				"  If you wanted to force an int to match as a bool, please use '-m bool'.",
				"",
			}
		}
		px.ACLs = append(px.ACLs, a)
	case "use_backend":
		if arg(1) == "" {
			s.alert(p, "'%s' expects a backend name.", kw)
			return false
		}
		cond, err := parseCondition(tail(w, 2))
		if err != nil {
			s.alert(p, "error detected while parsing switching rule : %s.", err)
			return false
		}
		if bad := undefinedACL(px, cond); bad != "" {
			s.alert(p, "error detected while parsing switching rule : no such ACL : '%s'.", bad)
			return false
		}
		if msg := s.anonACLError(cond); msg != "" {
			s.alert(p, "error detected while parsing switching rule : %s.", msg)
			return false
		}
		px.UseBackends = append(px.UseBackends, UseBackend{Pos: p, Backend: arg(1), Cond: cond})
		px.sawUseBackend = true
	case "disabled":
		px.Disabled = true
	case "enabled":
		px.Disabled = false
	case "default_backend":
		if arg(1) == "" {
			s.alert(p, "'%s' expects a backend name.", kw)
			return false
		}
		px.DefaultBack, px.DefaultBackAt = arg(1), p
	case "redirect":
		px.sawRedirect = true
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		if r, ok := simpleRule(w, 1); ok {
			r.Pos, r.Action = p, "redirect"
			px.Redirects = append(px.Redirects, r) // the wire maps it or reports it
			break
		}
		s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, "redirect")
	case "tcp-request":
		s.tcpRequestOrder(px, p, w)
		s.timerWarnAfter(p, w[:min(len(w), 3)], "inspect-delay")
		for i := 2; i+1 < len(w); i++ {
			if strings.HasPrefix(w[i], "set-var(") {
				if msg := s.mapConverters(w[i+1]); msg != "" {
					s.alert(p, "%s", msg)
					return false
				}
				break
			}
		}
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		if len(w) > 2 && w[1] == "connection" && (w[2] == "accept" || w[2] == "reject") {
			if r, ok := simpleRule(w, 3); ok {
				r.Pos, r.Action = p, w[2]
				px.TCPConnRules = append(px.TCPConnRules, r) // the wire maps it or reports it
				break
			}
		}
		s.d.Unsupported(p.File, p.Line, "tcp-request")
	case "http-request", "http-response":
		if px.lfPos.Line > 0 && movesLogFormatPos(arg(1)) {
			px.lfPos = p
		}
		rule := HTTPRule{Pos: p, Action: arg(1)}
		actions := httpRequestActions
		if kw == "http-response" {
			actions = httpResponseActions
		}
		if !knownHTTPAction(actions, rule.Action) {
			msg := fmt.Sprintf("'%s' expects %s, but got '%s'.", kw, httpActionList(actions), rule.Action)
			if sug := suggest(rule.Action, actions); sug != "" {
				msg += fmt.Sprintf(" Did you mean '%s' maybe ?", sug)
			}
			s.alertRaw(p.File, p.Line, msg)
			s.fileFatal, s.abort = true, true
			return true
		}
		if kw == "http-request" {
			switch {
			case px.sawRedirect:
				s.warn(p, "a 'http-request' rule placed after a 'redirect' rule will still be processed before.")
			case px.sawUseBackend:
				s.warn(p, "a 'http-request' rule placed after a 'use_backend' rule will still be processed before.")
			}
			px.sawHTTPRequest = true
		}
		// HAProxy parses the action (up to if/unless) before the condition.
		args, condWords := tail(w, 2), []string(nil)
		for i, a := range args {
			if a == "if" || a == "unless" {
				args, condWords = args[:i], args[i:]
				break
			}
		}
		rule.Args = args
		if want, ok := httpActionArity[rule.Action]; ok && len(args) != want {
			kind := px.Kind
			if kind == "listen" {
				kind = "proxy"
			}
			s.alert(p, "error detected in %s '%s' while parsing '%s %s' rule : expects exactly %d arguments.", kind, px.Name, kw, rule.Action, want)
			s.abort = true
			return true // HAProxy stops reading at a rule it cannot build
		}
		msg := checkHTTPRuleArgs(rule)
		if msg == "" && (rule.Action == "deny" || rule.Action == "return" || rule.Action == "tarpit") {
			if m := s.replyFile(args); m != "" {
				msg = m + "."
			}
		}
		if msg == "" {
			msg = s.ruleSampleMaps(rule)
		}
		if msg != "" {
			kind := px.Kind
			if kind == "listen" {
				kind = "proxy"
			}
			s.alert(p, "error detected in %s '%s' while parsing '%s %s' rule : %s", kind, px.Name, kw, rule.Action, msg)
			s.abort = true
			return true
		}
		if condWords != nil {
			cond, err := parseCondition(condWords)
			if err != nil {
				// A rule HAProxy cannot build stops the whole configuration.
				s.alert(p, "error detected while parsing an '%s %s' condition : %s.", kw, rule.Action, err)
				s.abort = true
				return true
			}
			if bad := undefinedACL(px, cond); bad != "" {
				s.alert(p, "error detected while parsing an '%s %s' condition : no such ACL : '%s'.", kw, rule.Action, bad)
				s.abort = true
				return true
			}
			if msg := s.anonACLError(cond); msg != "" {
				s.alert(p, "error detected while parsing an '%s %s' condition : %s.", kw, rule.Action, msg)
				s.abort = true
				return true
			}
			rule.Cond = cond
		}
		switch rule.Action {
		case "set-header", "add-header", "del-header", "deny", "allow", "redirect", "return", "set-path", "tarpit", "set-method",
			"use-service":
		default:
			s.d.Unsupported(p.File, p.Line, kw+" "+rule.Action)
		}
		if kw == "http-request" {
			px.HTTPRequest = append(px.HTTPRequest, rule)
		} else {
			px.HTTPResponse = append(px.HTTPResponse, rule)
		}
	case "stats":
		s.stats(px, p, w)
	case "log":
		if neg {
			px.Logs = nil
			return false
		}
		t, ok := s.logLine(p, w)
		if !ok {
			return false
		}
		px.Logs = append(px.Logs, t)
	case "log-format":
		if len(w) < 2 {
			s.alert(p, "log-format expects one argument.")
			return false
		}
		px.LogFormat, px.LogFormatPos = strings.Join(w[1:], " "), p
	case "errorfile":
		code, err := strconv.Atoi(arg(1))
		if err != nil || arg(2) == "" {
			s.alert(p, "errorfile : expects <status_code> and <file> as arguments.\n")
			return false
		}
		if !errorfileCodes[code] {
			s.alert(p, "errorfile : status code '%s' not handled.", arg(1))
			return false
		}
		if !s.lookups.readable(arg(2)) {
			s.alert(p, "errorfile : error opening file '%s'.", arg(2))
			return false
		}
		px.ErrorFiles[code] = arg(2)
	case "errorfiles":
		px.ErrorFilesRef = append(px.ErrorFilesRef, Statement{Pos: p, Args: w})
	case "description":
		if arg(1) == "" {
			// HAProxy 2.6 returns -1 from the file reader here, which its
			// caller reports as a file it "could not open".
			s.alertRaw(p.File, p.Line, "'description' expects a string argument.")
			s.fileFatal, s.abort, s.readerFailed = true, true, true
			return true
		}
		// shown by HAProxy's stats page only, which gohaproxy does not serve
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	case "log-tag":
		if arg(1) == "" {
			px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
			s.d.Unsupported(p.File, p.Line, kw)
			return false
		}
		px.LogTag = arg(1) // the syslog tag of this proxy's lines
	case "hash-balance-factor":
		if msg := rawChecks[kw](w); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		px.HashBalanceFactor, _, _ = leadingInt(arg(1)) // honoured by proxy/balance
	case "id":
		if n, _, _ := leadingInt(arg(1)); n <= 0 {
			s.alertRaw(p.File, p.Line, "custom id has to be > 0.")
			s.fileFatal = true
			return false
		}
		// the stats views number proxies in file order
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, kw)
	default:
		if kw == "tcp-response" {
			s.timerWarnAfter(p, w[:min(len(w), 3)], "inspect-delay")
		}
		if kw == "http-error" {
			if msg := s.replyFile(w[1:]); msg != "" {
				s.alert(p, "http-error : %s", msg)
				return false
			}
		}
		if chk := rawChecks[kw]; chk != nil {
			if msg := chk(w); msg != "" {
				first, rest := splitMessage(msg)
				s.alert(p, "%s", first)
				if len(rest) > 0 {
					s.d.List[len(s.d.List)-1].Extra = rest
				}
				return false
			}
		}
		if kw == "stick-table" {
			s.timerWarnAfter(p, w, "expire")
		}
		px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
		s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: p, Args: w})
		s.d.Unsupported(p.File, p.Line, row.Name)
	}
	return false
}

// splitACLArgs separates an ACL's leading flags (with their values) from its
// patterns; "--" ends the flags.
func splitACLArgs(rest []string) (flags, values []string) {
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		flags = append(flags, rest[0])
		if (rest[0] == "-m" || rest[0] == "-f") && len(rest) > 1 {
			flags = append(flags, rest[1])
			rest = rest[1:]
		}
		rest = rest[1:]
		if flags[len(flags)-1] == "--" {
			break
		}
	}
	return flags, rest
}

// anonACLError validates the anonymous ACLs of a condition.
func (s *state) anonACLError(c *Condition) string {
	if c == nil {
		return ""
	}
	for _, and := range c.Or {
		for _, t := range and {
			if t.Anon != nil {
				if msg := s.checkACL(*t.Anon); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}

// retriesOnConnFailures tells whether "retry-on" (so far) covers what TFO
// needs to retry a connection.
func retriesOnConnFailures(px *Proxy) bool {
	have := map[string]bool{}
	if px.RetryOn != nil {
		for _, a := range px.RetryOn.Words {
			have[a] = true
		}
	}
	return have["all-retryable-errors"] || have["conn-failure"] && have["empty-response"] && have["response-timeout"]
}

// checkBalanceArgs validates the arguments of the algorithms that take some.
func checkBalanceArgs(base, algo string, args []string) string {
	switch base {
	case "uri":
		for i := 0; i < len(args); i++ {
			switch args[i] {
			case "len", "depth":
				v := ""
				if i+1 < len(args) {
					v = args[i+1]
				}
				if n, err := strconv.Atoi(v); err != nil || n < 0 {
					return fmt.Sprintf("balance uri : '%s' expects a positive integer (got '%s').", args[i], v)
				}
				i++
			case "whole", "path-only":
			default:
				return "balance uri only accepts parameters 'len', 'depth', 'path-only' and 'whole'."
			}
		}
	case "random":
		if rest, ok := strings.CutPrefix(algo, "random("); ok {
			n, end, okn := leadingInt(rest)
			if !okn || end >= len(rest) || rest[end] != ')' || n < 1 {
				bad := byte(')')
				if okn && end < len(rest) {
					bad = rest[end]
				} else if !okn && rest != "" {
					bad = rest[0]
				}
				return fmt.Sprintf("balance random : unexpected character '%c' after argument.", bad)
			}
		}
	case "url_param":
		if len(args) == 0 {
			return "balance url_param requires an URL parameter name."
		}
	}
	return ""
}

// simpleRule splits w[from:] into arguments and an if/unless condition
// for the rules the wire maps itself (legacy redirect, tcp-request
// connection accept/reject); ok is false when the condition does not
// parse, and the line stays reported as unsupported.
func simpleRule(w []string, from int) (HTTPRule, bool) {
	args, condWords := tail(w, from), []string(nil)
	for i, a := range args {
		if a == "if" || a == "unless" {
			args, condWords = args[:i], args[i:]
			break
		}
	}
	r := HTTPRule{Args: args}
	if condWords != nil {
		cond, err := parseCondition(condWords)
		if err != nil {
			return r, false
		}
		r.Cond = cond
	}
	return r, true
}

// tcpRequestOrder warns like HAProxy when a connection/session rule comes
// after rules that run later (they still run first).
func (s *state) tcpRequestOrder(px *Proxy, p Pos, w []string) {
	sub := ""
	if len(w) > 1 {
		sub = w[1]
	}
	name := "tcp-request"
	if sub == "content" {
		name = "tcp-request content"
	}
	name = "tcp-request"
	switch {
	case sub == "inspect-delay":
	case sub != "content" && px.sawTCPContent:
		s.warn(p, "a '%s' rule placed after a 'tcp-request content' rule will still be processed before.", name)
	case px.sawHTTPRequest:
		s.warn(p, "a '%s' rule placed after an 'http-request' rule will still be processed before.", name)
	case px.sawRedirect:
		s.warn(p, "a '%s' rule placed after a 'redirect' rule will still be processed before.", name)
	case px.sawUseBackend:
		s.warn(p, "a '%s' rule placed after a 'use_backend' rule will still be processed before.", name)
	}
	if sub == "content" {
		px.sawTCPContent = true
	}
}

func (s *state) option(px *Proxy, p Pos, w []string, neg bool) bool {
	name := w[1]
	switch name {
	case "forwardfor":
		ff := &Forwardfor{}
		for i := 2; i < len(w); i++ {
			switch w[i] {
			case "except":
				if i+1 >= len(w) {
					s.alert(p, "'option forwardfor except' expects <address>[/mask] as argument.")
					return false
				}
				ff.Except = w[i+1]
				i++
			case "header":
				if i+1 >= len(w) {
					s.alert(p, "'option forwardfor header' expects <header_name> as argument.")
					return false
				}
				ff.Header = w[i+1]
				i++
			case "if-none":
				ff.IfNone = true
			default:
				s.alert(p, "'option forwardfor' only supports optional values 'except', 'header' and 'if-none'.")
				return false
			}
		}
		px.Forwardfor = ff
	case "httpchk":
		px.HTTPCheck.Enabled = true
		px.TCPCheck.Option = nil
		px.TCPCheck.unusedTCP, px.TCPCheck.unusedHTTP = false, false // any check option uses or drops them
		rest := tail(w, 2)
		switch len(rest) {
		case 1:
			px.HTTPCheck.URI = rest[0]
		case 2:
			px.HTTPCheck.Method, px.HTTPCheck.URI = rest[0], rest[1]
		case 3:
			px.HTTPCheck.Method, px.HTTPCheck.URI, px.HTTPCheck.Version = rest[0], rest[1], rest[2]
		}
	case "tcp-check", "redis-check", "mysql-check", "pgsql-check", "smtpchk", "ldap-check", "ssl-hello-chk":
		if neg {
			px.Options[name] = false
			s.d.Unsupported(p.File, p.Line, "no option "+name)
			return false
		}
		if msg := optionArgCheck(w); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		// one check type per proxy: the last option line decides
		// (proxy/check runs them; proxy/haproxycfg maps the arguments)
		px.HTTPCheck.Enabled = false
		px.TCPCheck.Option, px.TCPCheck.Pos = ParseProtocolCheck(w[1:]), p
		px.TCPCheck.unusedTCP, px.TCPCheck.unusedHTTP = false, false
	case "http-server-close", "httpclose", "http-keep-alive":
		// These three select one connection mode: the last one wins.
		for _, m := range []string{"http-server-close", "httpclose", "http-keep-alive"} {
			delete(px.Options, m)
		}
		px.Options[name] = !neg
	default:
		if msg := optionArgCheck(w); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		px.Options[name] = !neg
		if name == "httplog" {
			// `option httplog clf` is kept as its own flag: the last
			// `option httplog` line decides.
			px.Options["httplog clf"] = !neg && len(w) > 2 && w[2] == "clf"
		}
		if name == "httplog" && !neg {
			px.lfPos = p
		}
		if name == "redispatch" {
			px.RedispatchEvery = redispatchInterval(w)
		}
		if !neg && (name == "httplog" || name == "tcplog" || name == "httpslog") {
			// These replace the proxy's log format, a log-format line or
			// one another before them (or inherited) included: the last
			// one wins.
			px.LogFormat, px.LogFormatPos = "", Pos{}
			for _, other := range []string{"httplog", "httplog clf", "tcplog", "httpslog"} {
				if other != name && !(name == "httplog" && other == "httplog clf") {
					delete(px.Options, other)
				}
			}
		}
		switch name {
		// honoured: proxy/haproxycfg maps each (see KEYWORDS.md)
		case "redispatch", "allbackups", "httplog", "tcplog", "dontlognull", "log-health-checks",
			"splice-auto", "splice-request", "splice-response", "dontlog-normal", "log-separate-errors",
			"accept-invalid-http-request", "accept-invalid-http-response":
		default:
			s.d.Unsupported(p.File, p.Line, "option "+name)
		}
	}
	return false
}

func (s *state) stats(px *Proxy, p Pos, w []string) {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	if inherited := px.Stats.Pos.File != px.Pos.File || px.Stats.Pos.Line < px.Pos.Line; inherited {
		px.Stats.Pos = p // the first stats line of this section, where the policy reports
	}
	switch arg(1) {
	case "enable":
		px.Stats.Enabled = true
	case "uri":
		if arg(2) == "" {
			s.alert(p, "'uri' needs an URI prefix.")
			return
		}
		px.Stats.Enabled, px.Stats.URI = true, arg(2)
	case "realm":
		if arg(2) == "" {
			s.alert(p, "'realm' needs an realm name.")
			return
		}
		px.Stats.Enabled, px.Stats.Realm = true, arg(2)
	case "auth":
		px.Stats.Enabled = true
		px.Stats.Auth = append(px.Stats.Auth, arg(2))
	case "refresh":
		if arg(2) == "" {
			s.alert(p, "'stats refresh' expects <delay> as argument.")
			return
		}
		d, bad, err := ParseTime(arg(2))
		if err != nil {
			s.alertRaw(p.File, p.Line, fmt.Sprintf("unexpected character '%c' in argument to stats refresh interval.", arg(2)[bad]))
			s.fileFatal = true
			return
		}
		s.timerWarn(p, arg(2))
		if strings.Trim(arg(2), "0123456789") == "" {
			d *= 1000 // a bare number is seconds here (ParseTime's default unit is ms)
		}
		px.Stats.Enabled, px.Stats.Refresh = true, d
	case "admin":
		cond, err := parseCondition(tail(w, 2))
		if err != nil || cond == nil || len(w) < 3 {
			s.alert(p, "'stats admin' requires either 'if' or 'unless' followed by a condition.")
			return
		}
		px.Stats.Enabled, px.Stats.Admin = true, cond
	case "scope", "hide-version", "show-node", "show-desc", "show-legends", "show-modules", "bind-process", "http-request", "maxconn", "socket", "timeout":
		px.Stats.Raw = append(px.Stats.Raw, Statement{Pos: p, Args: w})
		if row, ok := ClassOf("proxy", "stats "+arg(1)); !ok || row.Class != Implemented {
			s.d.Unsupported(p.File, p.Line, "stats "+arg(1)) // the stats page reads the implemented ones from Raw
		}
	default:
		s.alertRaw(p.File, p.Line, fmt.Sprintf("unknown stats parameter '%s', expects 'admin', 'uri', 'realm', 'auth', 'scope', 'enable', 'hide-version', 'show-node', 'show-desc' or 'show-legends'.", arg(1)))
		s.fileFatal = true
	}
}

// bind parses "bind addr[,addr...] [options]"; true = abort.
func (s *state) bind(px *Proxy, p Pos, w []string) bool {
	if len(w) < 2 {
		s.alert(p, "'bind' expects {<path>|[addr1]:port1[-end1]}{,[addr]:port[-end]}... as arguments.")
		return false
	}
	b := Bind{Pos: p, Text: w[1], Options: map[string]string{}}
	for _, one := range strings.Split(w[1], ",") {
		a, err := listenAddress(one, s.env)
		if err != nil {
			// HAProxy re-indents the message, which drops a final newline.
			s.alert(p, "'bind' : %s", strings.TrimSuffix(err.Error(), "\n"))
			return false
		}
		b.Addrs = append(b.Addrs, a)
	}
	for i := 2; i < len(w); i++ {
		o := w[i]
		if !bindKeywordSet[o] {
			if sug := didYouMean(o, bindKeywordNames); sug != "" {
				s.alert(p, "'bind %s' in section '%s': unknown keyword '%s'%s", w[1], px.Kind, o, sug)
			} else {
				s.alert(p, "'bind %s' in section '%s': unknown keyword '%s'.", w[1], px.Kind, o)
			}
			return false
		}
		v, missing := "", false
		if bindWithArg[o] {
			if missing = i+1 >= len(w); !missing {
				v = w[i+1]
			}
			i++
		}
		msg, warn := s.bindOption(p, o, v)
		if msg == "" && missing {
			msg = fmt.Sprintf("'%s' : missing value", o) // the usual wording; a few options have their own
		}
		if warn {
			s.warn(p, "'bind %s' in section '%s' : %s", w[1], px.Kind, msg)
		} else if msg != "" {
			// HAProxy re-indents the message, which drops a final newline.
			s.alert(p, "'bind %s' in section '%s' : %s", w[1], px.Kind, strings.TrimSuffix(msg, "\n"))
			return false
		}
		if o == "ssl" {
			b.SSL = true
		}
		b.Options[o] = v
	}
	px.Binds = append(px.Binds, b)
	return false
}

// bindWithArg are the bind options that take a value.
var bindWithArg = map[string]bool{"accept-netscaler-cip": true, "alpn": true, "backlog": true, "curves": true, "ecdhe": true, "ca-file": true,
	"ca-ignore-err": true, "ca-sign-file": true, "ca-sign-pass": true, "ca-verify-file": true, "ciphers": true,
	"ciphersuites": true, "crl-file": true, "crt": true, "crt-ignore-err": true, "crt-list": true, "expose-fd": true,
	"gid": true, "group": true, "id": true, "interface": true, "level": true, "severity-output": true, "maxconn": true,
	"mode": true, "mss": true, "name": true, "namespace": true, "nice": true, "npn": true, "process": true,
	"proto": true, "quic-cc-algo": true, "shards": true, "ssl-max-ver": true, "ssl-min-ver": true, "tcp-ut": true,
	"thread": true, "tls-ticket-keys": true, "uid": true, "user": true, "verify": true}

// tail is w[i:], empty when w is shorter: statements may lack any argument.
func tail(w []string, i int) []string {
	if i >= len(w) {
		return nil
	}
	return w[i:]
}

// movesLogFormatPos says whether HAProxy 2.6 records an http-request or
// http-response action's line as the proxy's log-format position when it
// parses it (so the httplog fallback warning names that line). Measured
// with haproxy -c: set-header, add-header, replace-header, replace-value,
// early-hint, redirect, set-var-fmt and set-status do; deny, return,
// del-header, set-path, set-uri, set-query, set-method, set-log-level and
// capture do not.
func movesLogFormatPos(action string) bool {
	switch action {
	case "set-header", "add-header", "replace-header", "replace-value", "early-hint", "redirect", "set-status":
		return true
	}
	return strings.HasPrefix(action, "set-var-fmt(")
}

// noCapabilityCheck are keywords whose HAProxy 2.6 parser never checks the
// proxy's capabilities: in a frontend they are taken silently (measured
// with haproxy -c).
var noCapabilityCheck = map[string]bool{"hash-balance-factor": true}
