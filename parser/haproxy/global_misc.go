package haproxy

import "strings"

// Handlers of the global keywords goha checks as HAProxy does, then keeps
// raw and reports (tuning, TLS defaults, Lua, CPU binding, description);
// rows in globalKeywordTable.

func (s *state) globalTuneBufsize(g *Global, l *kwLine) {
	if n, end, ok := leadingInt(l.arg(1)); !ok || end != len(l.arg(1)) || n <= 0 {
		s.alert(l.p, "'tune.bufsize' expects a positive integer argument.")
		return
	}
	s.globalUnsupported(g, l)
}

func (s *state) globalCiphers(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alert(l.p, "global statement '%s' expects a cipher suite as an argument.", l.kw)
		return
	}
	if strings.HasPrefix(l.kw, "ssl-default-bind-") {
		s.globalKeepRaw(g, l) // honoured by TLS binds (proxy/haproxycfg tls.go)
		return
	}
	s.globalUnsupported(g, l)
}

func (s *state) globalDescription(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alertRaw(l.p.File, l.p.Line, "'description' expects a string argument.")
		s.fileFatal = true
		return
	}
	// HAProxy shows it in `show info` and on the stats page; gohaproxy
	// shows neither.
	s.globalUnsupported(g, l)
}

// globalLuaLoad: HAProxy loads the script while parsing; goha runs no Lua.
func (s *state) globalLuaLoad(g *Global, l *kwLine) {
	if f := l.arg(1); f != "" && !s.lookups.readable(f) {
		s.alert(l.p, "error in Lua file '%s': cannot open %s: No such file or directory", f, f)
		return
	}
	s.globalUnsupported(g, l)
}

func (s *state) globalCPUMap(g *Global, l *kwLine) {
	for _, set := range tail(l.w, 2) {
		if !isCPUSet(set) {
			s.alert(l.p, "cpu-map : '%s' is not a CPU range.", set)
			return
		}
	}
	s.globalUnsupported(g, l)
}
