package haproxy

// globalLimit is one of HAProxy 2.6's process limits taking a number:
// ulimit-n, fd-hard-limit, maxconnrate, maxsessrate and maxsslrate
// (cfgparse-global.c). The first non-zero
// value wins; a second one is an alert that does not make the file fail
// ("already specified. Continuing."). The number is atol's: leading
// digits, 0 when there are none (which leaves the limit unset).
func (s *state) globalLimit(g *Global, l *kwLine) {
	if len(l.w) > 2 && l.w[2] != "" {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	field := map[string]*int{"ulimit-n": &g.UlimitN, "fd-hard-limit": &g.FDHardLimit,
		"maxconnrate": &g.MaxConnRate, "maxsessrate": &g.MaxSessRate, "maxsslrate": &g.TLS.MaxSSLRate}[l.kw]
	if *field != 0 {
		s.d.Alertf(l.p.File, l.p.Line, "'%s' already specified. Continuing.", l.kw)
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return
	}
	*field, _, _ = leadingInt(l.arg(1))
	if r, ok := ClassOf("global", l.kw); !ok || r.Class != Implemented {
		s.d.Unsupported(l.p.File, l.p.Line, l.kw) // maxsessrate: its row says why
	}
}

// globalGrace is `grace <time>`: on a soft stop the process keeps its
// listeners for that long, the stopping fetch already true. HAProxy 2.6
// ends both of its messages with a blank line; the last value wins and
// words after it are ignored.
func (s *state) globalGrace(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alert(l.p, "'grace' expects <time> as argument.\n")
		return
	}
	d, bad, err := ParseTime(l.arg(1))
	if err != nil {
		s.alert(l.p, "unexpected character '%c' in argument to <grace>.\n", l.arg(1)[bad])
		return
	}
	s.timerWarn(l.p, l.arg(1))
	g.Grace = d
}
