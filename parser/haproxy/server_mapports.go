package haproxy

import (
	"net"
	"net/netip"
	"strconv"
)

// MapsPorts reports a server address without a fixed port: none, 0, or an
// offset (+N/-N) from the port the client connected to (HAProxy's
// SRV_F_MAPPORTS).
func (a Address) MapsPorts() bool {
	return !a.PortSet || a.PortRaw == "" || a.PortRaw[0] == '+' || a.PortRaw[0] == '-' || a.PortLow == 0
}

// serverCheckPorts is HAProxy's test when it sets up a server's health
// check (init_srv_check): a check needs a port, the check `port`, the
// port of its `addr`, or the server's fixed one; a server following the
// client's port has none unless its address is unspecified (0.0.0.0, *,
// none: the check then goes to the address and number as written) or the
// proxy's check rules start with a connect that names one.
func (s *state) serverCheckPorts() bool {
	fatal := false
	for _, px := range s.cfg.Proxies {
		kind := px.Kind
		if kind == "listen" {
			kind = "proxy"
		}
		for _, sv := range px.Servers {
			if !sv.Check || sv.Port != 0 || !sv.Addr.MapsPorts() || checkAddrPort(sv.CheckAddr) != 0 {
				continue
			}
			if sv.CheckAddr == "" && !inetHost(sv) {
				continue
			}
			rules := px.TCPCheck.Rules
			if px.HTTPCheck.Enabled {
				rules = px.HTTPCheck.Rules
			}
			if !px.HTTPCheck.Enabled && px.TCPCheck.Option == nil && len(rules) == 0 {
				s.d.Raw(Alert, "", 0, "config : config: "+kind+" '"+px.Name+"': server '"+sv.Name+"' has neither service port nor check port.")
				fatal = true
				continue
			}
			if first := firstCheckAction(rules); first == nil || first.Kind != StepConnect || first.Connect.Port == 0 && checkAddrPort(first.Connect.Addr) == 0 {
				s.d.Raw(Alert, "", 0, "config : config: "+kind+" '"+px.Name+"': server '"+sv.Name+"' has neither service port nor check port nor tcp_check rule 'connect' with port information.")
				fatal = true
				continue
			}
			for _, r := range rules {
				if r.Kind == StepConnect && r.Connect.Port == 0 && checkAddrPort(r.Connect.Addr) == 0 {
					s.d.Raw(Alert, "", 0, "config : config: "+kind+" '"+px.Name+"': server '"+sv.Name+"' has neither service port nor check port, and a tcp_check rule 'connect' with no port information.")
					fatal = true
					break
				}
			}
		}
	}
	return fatal
}

// firstCheckAction is the first connect, send or expect step.
func firstCheckAction(rules []CheckStep) *CheckStep {
	for i := range rules {
		switch rules[i].Kind {
		case StepConnect, StepSend, StepExpect:
			return &rules[i]
		}
	}
	return nil
}

// checkAddrPort is the port an `addr` value carries (0: none).
func checkAddrPort(a string) int {
	if _, p, err := net.SplitHostPort(a); err == nil {
		n, _ := strconv.Atoi(p)
		return n
	}
	return 0
}

// inetHost: a server whose address is set when its check starts: an
// address other than 0.0.0.0 or ::, or a name resolved at start (not an
// SRV name, not one left unresolved by init-addr none).
func inetHost(sv *Server) bool {
	h := sv.Addr.Host
	if h == "" || h == "*" {
		return false
	}
	ip, err := netip.ParseAddr(trimBrackets(h))
	if err == nil {
		return !ip.IsUnspecified()
	}
	libcFirst, none := initAddrNone(sv.Other["init-addr"])
	return h[0] != '_' && !(none && !libcFirst)
}

func trimBrackets(h string) string {
	if len(h) > 1 && h[0] == '[' && h[len(h)-1] == ']' {
		return h[1 : len(h)-1]
	}
	return h
}
