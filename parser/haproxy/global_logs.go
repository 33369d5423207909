package haproxy

// Handlers of the global logging and runtime-API keywords (log, log-tag,
// log-send-hostname, stats); rows in globalKeywordTable.

func (s *state) globalLog(g *Global, l *kwLine) {
	t, ok := s.logLine(l.p, l.w)
	if !ok {
		return
	}
	g.Logs = append(g.Logs, t)
}

func (s *state) globalLogTag(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.globalUnsupported(g, l)
		return
	}
	g.LogTag = l.arg(1)
}

func (s *state) globalLogSendHostname(g *Global, l *kwLine) {
	g.SendHostname, g.Hostname = true, l.arg(1)
}

func (s *state) globalStats(g *Global, l *kwLine) {
	p, w, arg := l.p, l.w, l.arg
	switch arg(1) {
	case "socket":
		s.statsSocket(p, w)
		return
	case "timeout":
		if _, bad, err := ParseTime(arg(2)); err != nil && arg(2) != "" {
			s.alert(p, "'stats timeout' : unexpected character '%c'", arg(2)[bad])
			return
		}
		s.timerWarn(p, arg(2))
		if d, _, err := ParseTime(arg(2)); err == nil && d > 0 {
			g.StatsTimeout = d // the runtime API's idle limit per client
		}
		g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
		return
	case "maxconn", "bind-process":
	default:
		s.alert(p, "'stats' only supports 'socket', 'maxconn', 'bind-process' and 'timeout' (got '%s')", arg(1))
		return
	}
	g.Raw = append(g.Raw, Statement{Pos: p, Args: w})
	s.d.Unsupported(p.File, p.Line, "stats "+arg(1))
}
