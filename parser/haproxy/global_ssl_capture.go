package haproxy

import "fmt"

// Handlers of the global settings that make TLS binds keep parts of each
// handshake (read from Global.Raw by proxy/haproxycfg tls_capture.go),
// checked as HAProxy 2.6 checks them.

// globalSSLCapture is tune.ssl.capture-buffer-size and its deprecated
// name tune.ssl.capture-cipherlist-size: C's atoi of the value, which
// must not be negative.
func (s *state) globalSSLCapture(g *Global, l *kwLine) {
	if l.kw == "tune.ssl.capture-cipherlist-size" {
		s.d.Raw(Warning, l.p.File, l.p.Line, fmt.Sprintf("config : parsing [%s:%d]: '%s' is deprecated and will be removed in version 2.7. Please use 'tune.ssl.capture-buffer-size' instead.",
			l.p.File, l.p.Line, l.kw))
	}
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects an integer argument.", l.kw)
		return
	}
	if n, _, _ := leadingInt(l.arg(1)); n < 0 {
		s.alert(l.p, "'%s' expects a positive numeric value.", l.kw)
		return
	}
	s.globalKeepRaw(g, l)
}

// globalSSLKeylog is tune.ssl.keylog on|off.
func (s *state) globalSSLKeylog(g *Global, l *kwLine) {
	if len(l.w) > 2 {
		s.alert(l.p, "'%s' cannot handle unexpected argument '%s'.", l.kw, l.w[2])
		return
	}
	if v := l.arg(1); v != "on" && v != "off" {
		s.alert(l.p, "'%s' expects either 'on' or 'off' but got '%s'.", l.kw, v)
		return
	}
	s.globalKeepRaw(g, l)
}
