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

// globalTuneH2 checks a tune.h2.* value as HAProxy 2.6 does (atoi: what
// is not a number reads 0) and keeps it raw for proxy/haproxycfg
// h2Settings.
func (s *state) globalTuneH2(g *Global, l *kwLine) {
	n := atoi(l.arg(1))
	switch l.kw {
	case "tune.h2.header-table-size":
		if n < 4096 || n > 65536 {
			s.alert(l.p, "'%s' expects a numeric value between 4096 and 65536.", l.kw)
			return
		}
	case "tune.h2.max-frame-size":
		if n < 16384 || n > 16777215 {
			s.alert(l.p, "'%s' expects a numeric value between 16384 and 16777215.", l.kw)
			return
		}
	default: // initial-window-size, max-concurrent-streams
		if n < 0 {
			s.alert(l.p, "'%s' expects a positive numeric value.", l.kw)
			return
		}
	}
	s.globalKeepRaw(g, l)
}

// atoi reads a leading decimal integer as C's atoi does (0 when there is
// none), bounded to 32 bits.
func atoi(v string) int64 {
	v = strings.TrimLeft(v, " \t")
	neg := false
	if v != "" && (v[0] == '+' || v[0] == '-') {
		neg = v[0] == '-'
		v = v[1:]
	}
	var n int64
	for i := 0; i < len(v) && v[i] >= '0' && v[i] <= '9' && n < 1<<32; i++ {
		n = n*10 + int64(v[i]-'0')
	}
	if neg {
		return -n
	}
	return n
}
