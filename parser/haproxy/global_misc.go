package haproxy

import "strings"

// Handlers of the global keywords goha checks as HAProxy does, then keeps
// raw and reports (tuning, TLS defaults, Lua, CPU binding, description);
// rows in globalKeywordTable.

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

// globalSSLOptions checks ssl-default-bind-options and
// ssl-default-server-options as HAProxy 2.6 does: no-tls-tickets, the
// no-/force- version options, ssl-min-ver/ssl-max-ver with a version,
// and (binds only) prefer-client-ciphers.
func (s *state) globalSSLOptions(g *Global, l *kwLine) {
	if l.arg(1) == "" {
		s.alert(l.p, "global statement '%s' expects an option as an argument.", l.kw)
		return
	}
	for i := 1; i < len(l.w); i++ {
		o := l.w[i]
		switch {
		case o == "no-tls-tickets":
		case o == "prefer-client-ciphers" && l.kw == "ssl-default-bind-options":
		case o == "ssl-min-ver" || o == "ssl-max-ver":
			v := l.arg(i + 1)
			switch v {
			case "":
				s.alert(l.p, "'%s' : missing the ssl/tls version on global statement '%s'.", o, l.kw)
				return
			case "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3":
			default:
				s.alert(l.p, "'%s' : unknown ssl/tls version on global statement '%s'.", v, l.kw)
				return
			}
			i++
		case tlsMethodOption(o):
		default:
			s.alert(l.p, "unknown option '%s' on global statement '%s'.", o, l.kw)
			return
		}
	}
	s.globalKeepRaw(g, l)
}

// tlsMethodOption: no-sslv3 ... no-tlsv13 and force-sslv3 ... force-tlsv13.
func tlsMethodOption(o string) bool {
	v, ok := strings.CutPrefix(o, "no-")
	if !ok {
		v, ok = strings.CutPrefix(o, "force-")
	}
	switch v {
	case "sslv3", "tlsv10", "tlsv11", "tlsv12", "tlsv13":
		return ok
	}
	return false
}

// globalServerVerify is ssl-server-verify none|required (HAProxy 2.6
// words a missing value as if it wanted a number).
func (s *state) globalServerVerify(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return
	}
	if v := l.arg(1); v != "none" && v != "required" {
		s.alert(l.p, "'%s' expects 'none' or 'required' as argument.", l.kw)
		return
	}
	s.globalKeepRaw(g, l)
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
