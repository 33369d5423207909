package haproxycfg

import "github.com/goha-lb/goha/parser/haproxy"

// The tcp-request content rules of a named defaults section: HAProxy 2.6
// runs them in each frontend and listen starting from it, before their
// own, as one list (an accept there ends the proxy's content rules too;
// measured). In a tcp-mode frontend a rule of the defaults whose
// condition waits for bytes (a payload fetch within the inspect delay)
// ends the defaults' part: once bytes came, HAProxy 2.6 goes on with the
// frontend's own rules, the rest of the defaults' list (that rule
// included) never run (measured: a defaults' `reject if {
// req.payload(0,4) -m str EVIL }` lets EVIL through, and a reject after
// it in the defaults is skipped; when the client's bytes are already
// there at the stream's start HAProxy decides on them, goha's first pass
// has none yet). goha refuses them in a section it cannot place them in
// order with (another file), with a capture (its slot would be the
// defaults'), and in a backend (goha runs a backend's own only,
// backend_content.go). HAProxy itself refuses a listen section starting
// from such defaults.

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

// fromDefaults reports whether a content rule at pos of px (with its
// defaults' rules first, withDefaultsContent) is one of its defaults
// section's: written before px's own header, in the same file.
func fromDefaults(px *haproxy.Proxy, pos haproxy.Pos) bool {
	return px.Def != nil && pos.File == px.Pos.File && pos.Line < px.Pos.Line
}
