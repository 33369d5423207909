package haproxy

import "fmt"

// badTCPContentService alerts, in HAProxy 2.6's words, on the forms of
// `tcp-request content use-service` and `switch-mode` it refuses at -c,
// and reports whether it did. HAProxy 2.6 takes no use-service in tcp
// rules but a Lua one (its prometheus-exporter is for http-request rules
// only, and goha loads no Lua): every form is refused. switch-mode
// http [proto <mux>] is refused by goha after these checks (a tcp stream
// upgraded to HTTP processing is not built).
func (s *state) badTCPContentService(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || w[1] != "content" {
		return false
	}
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	switch w[2] {
	case "use-service":
		switch arg(3) {
		case "", "if", "unless":
			s.alert(p, "'%s' expects a service name.", w[0])
		case "prometheus-exporter":
			s.alert(p, "Prometheus exporter service only available on 'http-request' rulesets")
		default:
			s.alert(p, "'%s' unknown service name.", w[1])
		}
		return true
	case "switch-mode":
		i := 4
		switch {
		case arg(3) == "":
			s.alert(p, "'%s switch-mode' expects a mode as argument.", w[0])
			return true
		case arg(3) != "http":
			s.alert(p, "'%s switch-mode' expects a valid mode (got '%s').", w[0], arg(3))
			return true
		case arg(4) == "proto":
			m := arg(5)
			if m == "" {
				s.alert(p, "'%s switch-mode': 'proto' expects a protocol as argument.", w[0])
				return true
			}
			if m != "h1" && m != "h2" && !knownMuxName(m) {
				s.alert(p, "'%s switch-mode': 'proto' expects a valid MUX protocol, if specified (got '%s')", w[0], m)
				return true
			}
			i = 6
		}
		if a := arg(i); a != "" && a != "if" && a != "unless" {
			s.alert(p, "'%s %s %s' only accepts 'if' or 'unless', in %s '%s' (got '%s')", w[0], w[1], w[2], kindWord(px), px.Name, a)
			return true
		}
		if px.Cap&CapFrontend == 0 {
			s.alert(p, "'%s switch-mode' not allowed because %s '%s' has no frontend capability", w[0], kindWord(px), px.Name)
			return true
		}
	}
	return false
}

// knownMuxName: the multiplexer names HAProxy 2.6.12 (Debian's build,
// without QUIC) registers besides h1 and h2; neither serves an HTTP
// client, which switchModeChecks reports after parsing.
func knownMuxName(m string) bool {
	return m == "fcgi" || m == "none"
}

// tcpSwitchMode keeps a `tcp-request content switch-mode http [proto
// <mux>]` that badTCPContentService let through as a content rule
// (Action "switch-mode", Args "http" [proto <mux>]) and marks the proxy
// as upgrading to HTTP. proxy/haproxycfg maps it (switchmode.go).
func (s *state) tcpSwitchMode(px *Proxy, p Pos, w []string) bool {
	if len(w) < 3 || w[1] != "content" || w[2] != "switch-mode" {
		return false
	}
	r, ok := simpleRule(w, 3)
	if !ok {
		s.d.Unsupported(p.File, p.Line, "tcp-request content switch-mode")
		return true
	}
	r.Pos, r.Action = p, w[2]
	px.TCPContentRules = append(px.TCPContentRules, r)
	px.HTTPUpgrade = true
	return true
}

// switchModeChecks is HAProxy's post-parse check of the switch-mode
// rules (check_tcp_switch_stream_mode). It returns true on a fatal error.
func (s *state) switchModeChecks() bool {
	fatal := false
	for _, px := range s.cfg.Proxies {
		for _, r := range px.TCPContentRules {
			if r.Action != "switch-mode" || len(r.Args) < 3 || r.Args[1] != "proto" {
				continue
			}
			if m := r.Args[2]; m != "h1" && m != "h2" {
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': MUX protocol '%s' is not compatible with the selected mode.", px.Name, m))
				fatal = true
			}
		}
	}
	return fatal
}

// switchModeListenWarning warns, among a proxy's warnings, about a tcp
// listen section that upgrades to HTTP with only its own servers to go
// to (measured: not when it has a default_backend or use_backend rules,
// nor without servers).
func (s *state) switchModeListenWarning(px *Proxy) {
	if px.Kind == "listen" && px.Mode != "http" && px.HTTPUpgrade && px.DefaultBack == "" && len(px.UseBackends) == 0 && len(px.Servers) > 0 {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Proxy '%s' : 'switch-mode http' configured for a tcp proxy with no backend. "+
			"Incoming connections upgraded to HTTP cannot be routed to TCP servers", px.Name))
	}
}
