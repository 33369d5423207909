package haproxycfg

import "github.com/goha-lb/goha/parser/haproxy"

// The tcp-request content rules of a named defaults section: HAProxy 2.6
// runs them in each frontend and listen starting from it, before their
// own, as one list (an accept there ends the proxy's content rules too;
// measured). goha runs them so in HTTP frontends; it refuses them in
// tcp-mode ones (HAProxy's payload waits differ there), in a section it cannot
// place them in order with (another file), with a capture (its slot
// would be the defaults'), and in a backend (goha runs a backend's own
// only, backend_content.go). HAProxy itself refuses a listen section starting from
// such defaults.

// defaultsRulesNotRun is the defaults section px with the content rules
// its proxies run (withDefaultsContent), and its http-request and
// http-response rules when no frontend starts from it (fronts false: its
// backends run them, backend_rules.go), left out of the report: those
// are reported, if need be, where they run.
func defaultsRulesNotRun(px *haproxy.Proxy, fronts bool) *haproxy.Proxy {
	if px.Name == "" {
		return px
	}
	cp := *px
	cp.TCPContentRules, cp.TCPContentTracks = nil, nil
	if !fronts {
		// Only backends start from it (HAProxy refuses a defaults
		// section with rules shared by both): they run its http-request
		// and http-response rules (backend_rules.go).
		cp.HTTPRequestRules, cp.HTTPResponseRules = nil, nil
	}
	return &cp
}

// withDefaultsContent is px with its defaults section's tcp-request
// content rules before its own.
func (b *builder) withDefaultsContent(px *haproxy.Proxy) *haproxy.Proxy {
	d := px.Def
	if d == nil || len(d.TCPContentRules)+len(d.TCPContentTracks) == 0 {
		return px
	}
	if px.Mode != "http" {
		// Measured: HAProxy 2.6 lets a tcp stream through a defaults'
		// reject whose condition reads the payload (its own accept
		// after it decides); not reproduced.
		b.unsupported(px.Pos, "tcp-mode frontend '"+px.Name+"' starting from defaults '"+d.Name+"' with tcp-request content rules")
		return px
	}
	if px.Kind == "listen" {
		// HAProxy 2.6 refuses it: "a listen section cannot inherit from a
		// defaults section defining TCP/HTTP rules"
		b.unsupported(px.Pos, "listen '"+px.Name+"' starting from defaults '"+d.Name+"' with tcp-request content rules")
		return px
	}
	if !b.defaultsContentFits(px, d) {
		return px
	}
	cp := *px
	cp.TCPContentRules = append(append([]haproxy.HTTPRule(nil), d.TCPContentRules...), px.TCPContentRules...)
	cp.TCPContentTracks = append(append([]haproxy.HTTPRule(nil), d.TCPContentTracks...), px.TCPContentTracks...)
	return &cp
}

// defaultsContentFits reports (and refuses) the defaults' content rules
// px cannot run.
func (b *builder) defaultsContentFits(px, d *haproxy.Proxy) bool {
	ok := true
	for _, rs := range [][]haproxy.HTTPRule{d.TCPContentRules, d.TCPContentTracks} {
		for _, r := range rs {
			switch {
			case r.Pos.File != px.Pos.File:
				b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a defaults section of another file than '"+px.Name+"'")
				ok = false
			case r.Action == "capture":
				b.unsupported(r.Pos, "tcp-request content capture in a defaults section")
				ok = false
			}
		}
	}
	return ok
}

// defaultsContentNotRun refuses the defaults' content rules a backend
// starts from: HAProxy runs them there, goha runs a backend's none.
func (b *builder) defaultsContentNotRun(px *haproxy.Proxy) {
	if d := px.Def; d != nil {
		for _, rs := range [][]haproxy.HTTPRule{d.TCPContentRules, d.TCPContentTracks} {
			for _, r := range rs {
				b.unsupported(r.Pos, "tcp-request content "+r.Action+" of defaults '"+d.Name+"' in backend '"+px.Name+"'")
			}
		}
	}
}
