package haproxy

// Handler of `option <name>` (and `no option`, `default option`); its row
// is in proxyKeywordTable.

func (s *state) parseOption(px *Proxy, l *kwLine) bool {
	w := l.w
	if l.reset {
		if w[1] != "redispatch" {
			// HAProxy 2.6.12 counts the words of a flag option one off
			// after `default`: every negatable option but redispatch
			// (parsed on its own) is refused so (measured on all 37).
			s.alert(l.p, "'option %s' cannot handle unexpected argument '%s'.", w[1], w[1])
			return false
		}
		// `default option redispatch` puts it back to HAProxy's
		// built-in state (off), dropping what defaults or earlier lines said.
		delete(px.Options, w[1])
		return false
	}
	return s.option(px, l.p, w, l.neg)
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
	case "http-restrict-req-hdr-names":
		switch {
		case len(w) > 3:
			s.alert(p, "'option' cannot handle unexpected argument '%s'.", w[3])
			return false
		case len(w) < 3 || w[2] == "":
			s.alert(p, "missing parameter. option '%s' expects 'preserve', 'reject' or 'delete' option.", name)
			return false
		case w[2] != "preserve" && w[2] != "reject" && w[2] != "delete":
			s.alert(p, "invalid parameter '%s'. option '%s' expects 'preserve', 'reject' or 'delete' option.", w[2], name)
			return false
		}
		px.RestrictReqHdrNames = w[2]
	case "originalto":
		if msg := optionArgCheck(w); msg != "" {
			s.alert(p, "%s", msg)
			return false
		}
		px.OriginalTo = optionOriginalTo(w)
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
	case "tcpka":
		// HAProxy sets the keepalive flag of each side the proxy has
		// (defaults: both); `option clitcpka|srvtcpka` set one.
		if px.Cap&CapFrontend != 0 {
			px.Options["clitcpka"] = true
		}
		if px.Cap&CapBackend != 0 {
			px.Options["srvtcpka"] = true
		}
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
		if (name == "httplog" || name == "httpslog") && !neg {
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
			"accept-invalid-http-request", "accept-invalid-http-response", "persist", "http-buffer-request",
			"external-check", "http-ignore-probes", "http-pretend-keepalive", "logasap", "abortonclose", "http-use-proxy-header",
			"httpslog", "nolinger", "clitcpka", "srvtcpka", "prefer-last-server", "transparent", "disable-h2-upgrade",
			"h1-case-adjust-bogus-client", "h1-case-adjust-bogus-server", "idle-close-on-response", "independent-streams", "checkcache":
		case "socket-stats":
			// Per-listener stats rows are not kept by goha. Off (`no
			// option`) is goha's state, and a proxy without listeners (a
			// backend) has no rows: HAProxy warns and ignores it there
			// (capabilityWarning printed that).
			if !neg && px.Cap&CapFrontend != 0 {
				s.d.Unsupported(p.File, p.Line, "option "+name)
			}
		default:
			s.d.Unsupported(p.File, p.Line, "option "+name)
		}
	}
	return false
}
