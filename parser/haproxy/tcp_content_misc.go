package haproxy

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
			if m := arg(5); m != "h1" && m != "h2" {
				if m == "" || m == "if" || m == "unless" || !knownMuxName(m) {
					s.alert(p, "'%s switch-mode': 'proto' expects a valid MUX protocol, if specified (got '%s')", w[0], m)
					return true
				}
			}
			i = 6
		}
		if a := arg(i); a != "" && a != "if" && a != "unless" {
			s.alert(p, "'%s %s %s' only accepts 'if' or 'unless', in %s '%s' (got '%s')", w[0], w[1], w[2], kindWord(px), px.Name, a)
			return true
		}
	}
	return false
}

// knownMuxName: the multiplexer names HAProxy 2.6 registers besides h1
// and h2 (whether one suits an HTTP stream is left to the refusal).
func knownMuxName(m string) bool {
	switch m {
	case "fcgi", "none", "quic":
		return true
	}
	return false
}

// tcpSwitchMode refuses a `tcp-request content switch-mode http` that
// badTCPContentService let through, naming the action.
func (s *state) tcpSwitchMode(p Pos, w []string) bool {
	if len(w) < 3 || w[1] != "content" || w[2] != "switch-mode" {
		return false
	}
	s.d.Unsupported(p.File, p.Line, "tcp-request content switch-mode")
	return true
}
