package haproxy

import "strconv"

// Handlers of the proxy keywords that set one of the section's own
// settings (mode, state, limits, identity); rows in proxyKeywordTable.

func (s *state) parseMode(px *Proxy, l *kwLine) bool {
	switch l.arg(1) {
	case "http", "tcp", "log":
		px.Mode = l.arg(1)
	case "health":
		s.alert(l.p, "'mode health' doesn't exist anymore. Please use 'http-request return status 200' instead.")
	default:
		s.alert(l.p, "unknown proxy mode '%s'.", l.arg(1))
	}
	return false
}

func (s *state) parseDisabled(px *Proxy, l *kwLine) bool {
	px.Disabled = true
	return false
}

func (s *state) parseEnabled(px *Proxy, l *kwLine) bool {
	px.Disabled = false
	return false
}

// parseMaxconnRetries is `maxconn`, `fullconn` and `retries`: only a
// missing value is an error, HAProxy reads it with atol().
func (s *state) parseMaxconnRetries(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return false
	}
	n, _, _ := leadingInt(l.arg(1))
	switch l.kw {
	case "maxconn":
		px.Maxconn = n
	case "fullconn":
		px.Fullconn = n
	default:
		px.Retries, px.RetriesSet = n, true
	}
	return false
}

func (s *state) parseRetryOn(px *Proxy, l *kwLine) bool {
	s.retryOn(px, l.p, l.w)
	return false
}

// parseRateLimit: `rate-limit sessions <rate>`, after HAProxy's argument
// checks (rawchecks.go); 0 is no limit.
func (s *state) parseRateLimit(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	n, _ := strconv.Atoi(l.arg(2))
	px.RateLimitSessions = n
	return false
}

// parseDispatch: `dispatch <address>:<port>`, with HAProxy 2.6's
// messages.
func (s *state) parseDispatch(px *Proxy, l *kwLine) bool {
	switch {
	case l.arg(1) == "":
		s.alert(l.p, "'dispatch' : '' resolves to an empty address (environment variable missing?)\n")
		return false
	case len(l.w) > 2:
		s.alert(l.p, "'dispatch' cannot handle unexpected argument '%s'.", l.w[2])
		return false
	}
	a, err := ParseAddress(l.w[1])
	if err == nil {
		err = serverPort(&a)
	}
	switch {
	case err != nil:
		s.alert(l.p, "'dispatch' : %v", err)
		return false
	case a.Family == "unix" || a.FD > 0 || a.Path != "" || a.PortRaw == "":
		s.alert(l.p, "'dispatch' : missing port specification in '%s'", l.w[1])
		return false
	}
	px.Dispatch, px.DispatchPos = a, l.p
	return false
}

// parseHTTPReuse is `http-reuse`: its argument check is HAProxy's
// (rawchecks.go); proxy/haproxycfg maps the mode.
func (s *state) parseHTTPReuse(px *Proxy, l *kwLine) bool {
	if s.rawCheck(l) {
		px.HTTPReuse = l.arg(1)
	}
	return false
}

func (s *state) parseServer(px *Proxy, l *kwLine) bool {
	s.server(px, l.p, l.w)
	return false
}

func (s *state) parseDescription(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		// HAProxy 2.6 returns -1 from the file reader here, which its
		// caller reports as a file it "could not open".
		s.alertRaw(l.p.File, l.p.Line, "'description' expects a string argument.")
		s.fileFatal, s.abort, s.readerFailed = true, true, true
		return true
	}
	// shown by HAProxy's stats page only, which gohaproxy does not serve
	px.Raw = append(px.Raw, Statement{Pos: l.p, Args: l.w})
	s.d.Unsupported(l.p.File, l.p.Line, l.kw)
	return false
}

func (s *state) parseID(px *Proxy, l *kwLine) bool {
	if n, _, _ := leadingInt(l.arg(1)); n <= 0 {
		s.alertRaw(l.p.File, l.p.Line, "custom id has to be > 0.")
		s.fileFatal = true
		return false
	}
	n, _, _ := leadingInt(l.arg(1))
	for _, o := range s.cfg.Proxies {
		if o != px && o.ID == int(n) {
			s.alertTight(l.p, "%s %s reuses same custom id as %s %s (declared at %s:%d).",
				kindWord(px), px.Name, kindWord(o), o.Name, o.Pos.File, o.Pos.Line)
			return false
		}
	}
	// proxy/haproxycfg numbers the others around it (fe_id, be_id, iid)
	px.ID = int(n)
	return false
}
