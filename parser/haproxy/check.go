package haproxy

import (
	"fmt"
	"strings"
)

// predefinedACLs are the ACLs HAProxy defines itself (section 7.4).
var predefinedACLs = map[string]bool{"FALSE": true, "HTTP": true, "HTTP_1.0": true, "HTTP_1.1": true,
	"HTTP_2.0": true, "HTTP_3.0": true, "HTTP_CONTENT": true, "HTTP_URL_ABS": true, "HTTP_URL_SLASH": true,
	"HTTP_URL_STAR": true, "LOCALHOST": true, "METH_CONNECT": true, "METH_DELETE": true, "METH_GET": true,
	"METH_HEAD": true, "METH_OPTIONS": true, "METH_POST": true, "METH_PUT": true, "METH_TRACE": true,
	"RDP_COOKIE": true, "REQ_CONTENT": true, "TRUE": true, "WAIT_END": true}

// parseCondition reads "if|unless term [and|or|'||' term]...", where a term
// is [!]name or [!]{ criterion args }. No words means no condition.
func parseCondition(w []string) (*Condition, error) {
	if len(w) == 0 {
		return nil, nil
	}
	c := &Condition{}
	switch w[0] {
	case "if":
	case "unless":
		c.Unless = true
	default:
		return nil, fmt.Errorf("unexpected keyword '%s'", w[0])
	}
	w = w[1:]
	and := []CondTerm{}
	for i := 0; i < len(w); i++ {
		t := w[i]
		switch t {
		case "and", "&&":
			continue
		case "or", "||":
			if len(and) == 0 {
				return nil, fmt.Errorf("missing ACL before '%s'", t)
			}
			c.Or = append(c.Or, and)
			and = []CondTerm{}
			continue
		}
		term := CondTerm{}
		for strings.HasPrefix(t, "!") {
			term.Negate = !term.Negate
			t = t[1:]
		}
		if t == "" {
			if i+1 >= len(w) {
				break // a trailing lone '!' is ignored by 2.6
			}
			i++
			t = w[i]
		}
		if t == "{" {
			end := -1
			for j := i + 1; j < len(w); j++ {
				if w[j] == "}" {
					end = j
					break
				}
			}
			if end < 0 {
				return nil, fmt.Errorf("missing closing '}' in condition")
			}
			if end == i+1 {
				return nil, fmt.Errorf("missing fetch method in ACL expression ''")
			}
			a := newACL(Pos{}, "", w[i+1:end])
			term.Anon = &a
			i = end
		} else {
			term.Name = t
		}
		and = append(and, term)
	}
	// An empty condition (bare "if", trailing "or") is accepted by 2.6.
	if len(and) > 0 {
		c.Or = append(c.Or, and)
	}
	return c, nil
}

// undefinedACL returns the first named ACL the condition uses that is
// neither predefined nor declared earlier in the proxy.
func undefinedACL(px *Proxy, c *Condition) string { return undefinedACLIn(px.ACLs, c) }

// undefinedACLIn is undefinedACL over a list of acl lines (an fcgi-app's).
func undefinedACLIn(acls []ACL, c *Condition) string {
	if c == nil {
		return ""
	}
	for _, and := range c.Or {
		for _, t := range and {
			if t.Anon != nil || predefinedACLs[t.Name] {
				continue
			}
			found := false
			for _, a := range acls {
				if a.Name == t.Name {
					found = true
					break
				}
			}
			if !found {
				return t.Name
			}
		}
	}
	return ""
}

// LocalPeer is the local peer's name as the configuration and -L
// (cmdline, which wins) give it; "" means the host name.
func (g *Global) LocalPeer(cmdline string) string {
	local := cmdline
	for _, st := range g.Raw {
		if st.Args[0] == "localpeer" && len(st.Args) > 1 {
			local = st.Args[1]
		}
	}
	return local
}

// peersWithoutLocal drops peers sections that do not name the local peer
// (-L, else global "localpeer", else the host name), with HAProxy's warning, and
// types the others into Config.Peers.
func (s *state) peersWithoutLocal() {
	local := s.cfg.Global.LocalPeer(s.localPeerCmdline)
	if local == "" {
		local = s.lookups.hostname()
	}
	for _, sec := range s.cfg.Others {
		if sec.Kind != "peers" {
			continue
		}
		found := false
		for _, st := range sec.Statements {
			if (st.Args[0] == "peer" || st.Args[0] == "server") && len(st.Args) > 1 && st.Args[1] == local {
				found = true
			}
		}
		if !found {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Removing incomplete section 'peers %s' (no peer named '%s').", sec.Name, local))
			continue
		}
		s.cfg.Peers = append(s.cfg.Peers, typedPeers(sec, local))
	}
}

// layer7Balance says whether a balance algorithm hashes part of the HTTP
// request (uri, url_param, hdr(name)): HAProxy needs mode http for those.
func layer7Balance(algo string) bool {
	return algo == "uri" || algo == "url_param" || algo == "hdr"
}

// kindWord is how HAProxy names a proxy's kind in messages: a listen
// section is a "proxy".
func kindWord(px *Proxy) string {
	if px.Kind == "listen" {
		return "proxy"
	}
	return px.Kind
}

// hasLogTarget says whether a proxy logs anywhere: "log global" counts only
// when the global section has log lines; "no log" clears the list.
func (s *state) hasLogTarget(px *Proxy) bool {
	for _, l := range px.Logs {
		if l.Global {
			if len(s.cfg.Global.Logs) > 0 {
				return true
			}
			continue
		}
		return true
	}
	return false
}

// globalVerifyNone: "ssl-server-verify none" in global.
func (s *state) globalVerifyNone() bool {
	for _, st := range s.cfg.Global.Raw {
		if st.Args[0] == "ssl-server-verify" && len(st.Args) > 1 && st.Args[1] == "none" {
			return true
		}
	}
	return false
}

// initServerAddrs is HAProxy's server address initialisation (after the
// checks): it reports servers whose address cannot be resolved.
func (s *state) initServerAddrs() bool {
	failed := false
	resolved := map[string]bool{}
	for _, px := range s.cfg.Proxies {
		for _, sv := range px.Servers {
			libcFirst, none := initAddrNone(sv.Other["init-addr"])
			if none && !libcFirst {
				continue // the server may start without an address
			}
			if _, dyn := sv.Other["resolvers"]; dyn && strings.HasPrefix(sv.Addr.Host, "_") {
				continue // an SRV name: its records give the addresses
			}
			ok := resolvable(sv.Addr)
			if ok && isName(sv.Addr.Host) {
				if r, seen := resolved[sv.Addr.Host]; seen {
					ok = r
				} else {
					ok = s.lookups.resolve(sv.Addr.Host)
					resolved[sv.Addr.Host] = ok
				}
				if !ok {
					if _, dyn := sv.Other["resolvers"]; dyn || none {
						s.d.Raw(Warning, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : could not resolve address '%s', disabling server.",
							sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, sv.Addr.Host))
						continue
					}
				}
			}
			if ok {
				continue
			}
			s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : could not resolve address '%s'.",
				sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, sv.Addr.Host))
			failed = true
		}
	}
	return failed
}

// listeners is every bind line of frontends and listens.
func (s *state) listeners() []Bind {
	var out []Bind
	for _, ss := range s.cfg.Global.StatsSockets {
		out = append(out, Bind{Pos: ss.Pos, Addrs: []Address{ss.Addr}})
	}
	for _, px := range s.cfg.Frontends {
		if px.Disabled {
			continue
		}
		out = append(out, px.Binds...)
	}
	for _, ps := range s.cfg.Peers { // the local peer's listener counts too
		if ps.Disabled {
			continue
		}
		addr := ps.Bind
		for _, p := range ps.Peers {
			if p.Local && p.Addr != "" {
				addr = p.Addr
			}
		}
		if a, err := ParseAddress(addr); err == nil {
			out = append(out, Bind{Pos: ps.Pos, Addrs: []Address{a}})
		}
	}
	for _, lf := range s.cfg.LogForwards { // syslog listeners count too
		for _, b := range append(append([]LogForwardBind(nil), lf.Binds...), lf.DgramBinds...) {
			if a, err := ParseAddress(b.Addr); err == nil {
				out = append(out, Bind{Pos: b.Pos, Addrs: []Address{a}})
			}
		}
	}
	return out
}

// checkValidity is HAProxy's post-parse pass: cross references, duplicate
// servers, missing timeouts. It returns true on fatal errors.
func (s *state) checkValidity() bool {
	fatal := s.switchModeChecks()          // tcp_content_misc.go
	fatal = s.checkPatternCache() || fatal // patcache.go
	backend := func(name string) *Proxy {
		if px := s.proxies[name]; px != nil && px.Cap&CapBackend != 0 {
			return px
		}
		return nil
	}
	tracked := map[*Server]*Server{} // `track` resolved so far, in HAProxy's order
	for _, px := range s.cfg.Proxies {
		if px.Cap&CapFrontend != 0 && px.DefaultBack != "" {
			be := backend(px.DefaultBack)
			switch {
			case be == nil:
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find required default_backend: '%s'.", px.Name, px.DefaultBack))
				fatal = true
			case px.Mode == "http" && be.Mode != "http":
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : http frontend '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) as its default backend (see 'mode').",
					px.Name, px.Pos.File, px.Pos.Line, be.Name, be.Pos.File, be.Pos.Line))
				fatal = true
			}
		}
		if px.Cap&CapFrontend != 0 {
			for _, ub := range px.UseBackends {
				if strings.Contains(ub.Backend, "%[") {
					// dynamic name, resolved per request; its sample
					// expressions are built (map files opened) now
					if msg := s.formatMaps(ub.Backend); msg != "" {
						s.d.Raw(Alert, ub.Pos.File, ub.Pos.Line, fmt.Sprintf("config : Parsing [%s:%d]: failed to parse use_backend rule '%s' : %s",
							ub.Pos.File, ub.Pos.Line, ub.Backend, msg))
						fatal = true
					}
					continue
				}
				be := backend(ub.Backend)
				switch {
				case be == px:
					s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': loop detected for use_backend: '%s'.", px.Name, ub.Backend))
					fatal = true
				case be == nil:
					s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find required use_backend: '%s'.", px.Name, ub.Backend))
					fatal = true
				case px.Mode == "http" && be.Mode != "http":
					s.d.Raw(Alert, "", 0, fmt.Sprintf("config : http frontend '%s' (%s:%d) tries to use incompatible tcp backend '%s' (%s:%d) in a 'use_backend' rule (see 'mode').",
						px.Name, px.Pos.File, px.Pos.Line, be.Name, be.Pos.File, be.Pos.Line))
					fatal = true
				}
			}
		}
		if s.checkUseServers(px) {
			fatal = true
		}
		for _, sv := range px.Servers {
			t, ok := sv.Other["track"]
			if !ok {
				continue
			}
			tpx, tsrv := px, t
			if pxName, srvName, hasProxy := strings.Cut(t, "/"); hasProxy {
				tpx, tsrv = backend(pxName), srvName // frontends are not searched
				if tpx == nil {
					s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : unable to find required proxy '%s' for tracking.",
						sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, pxName))
					fatal = true
					continue
				}
			}
			var target *Server
			for _, c := range tpx.Servers {
				if c.Name == tsrv {
					target = c
					break
				}
			}
			_, agent := func() (string, bool) {
				if target == nil {
					return "", false
				}
				v, ok := target.Other["agent-check"]
				return v, ok
			}()
			switch {
			case target == nil:
				s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : unable to find required server '%s' for tracking.",
					sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, tsrv))
				fatal = true
			case !target.Check && !agent && !tracks(target):
				s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : unable to use %s/%s for tracking as it does not have any check nor agent enabled.",
					sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, tpx.Name, target.Name))
				fatal = true
			case trackLoops(tracked, sv, target):
				s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : unable to track %s/%s as it belongs to a tracking chain looping back to %s/%s.",
					sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, tpx.Name, target.Name, px.Name, sv.Name))
				fatal = true
			case disableOn404(px) != disableOn404(tpx):
				// HAProxy 2.6's message, its missing space included
				s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : unable to use %s/%s fortracking: disable-on-404 option inconsistency.",
					sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, tpx.Name, target.Name))
				fatal = true
			default:
				tracked[sv] = target
			}
		}
		for _, sv := range px.Servers {
			// HAProxy prepares a TLS context for ssl and check-ssl servers
			// (all of a proxy with a `connect ssl` check rule); verify comes
			// from the line, else from global ssl-server-verify.
			_, ca := sv.Other["ca-file"]
			checkSSL := sv.Set["check-ssl"] || px.SSLCheckConnect()
			verify := sv.Verify
			if verify == "" && !s.globalVerifyNone() {
				verify = "required"
			}
			if crt, ok := sv.Other["crt"]; ok && (sv.SSL || checkSSL) {
				if msg := s.serverCrtProblem(crt); msg != "" {
					s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : %s",
						sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, msg))
					fatal = true
				}
			}
			if (sv.SSL || checkSSL) && verify == "required" && !ca {
				why := "verify is enabled by default but no CA file specified. If you're running on a LAN where you're certain to trust the server's certificate, please set an explicit 'verify none' statement on the 'server' line, or use 'ssl-server-verify none' in the global section to disable server-side verifications by default."
				if s.globalVerifyNone() {
					why = "verify is enabled but no CA file specified."
				}
				s.d.Raw(Alert, sv.Pos.File, sv.Pos.Line, fmt.Sprintf("config : [%s:%d] : 'server %s/%s' : %s",
					sv.Pos.File, sv.Pos.Line, px.Name, sv.Name, why))
				fatal = true
			}
		}
	}
	for _, px := range s.cfg.Proxies {
		for _, b := range px.Binds {
			if _, crt := b.Options["crt"]; b.SSL && !crt {
				if _, list := b.Options["crt-list"]; !list {
					s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': no SSL certificate specified for bind '%s' at [%s:%d] (use 'crt').", px.Name, b.Text, b.Pos.File, b.Pos.Line))
					fatal = true
				}
			}
			if s.genCertsCA(px, b) {
				fatal = true
			}
		}
	}
	if s.typeUserlists() {
		fatal = true
	}
	if s.externalChecks() {
		fatal = true
	}
	checkedDefs := map[*Proxy]bool{}
	for _, px := range s.cfg.Proxies {
		if d := px.Def; d != nil && !checkedDefs[d] {
			checkedDefs[d] = true
			if s.defaultsRuleRefs(d) { // xref_defaults.go
				fatal = true
			}
		}
		if s.sectionRefs(px) {
			fatal = true
		}
		if s.doResolveRefs(px) { // doresolve.go
			fatal = true
		}
	}
	if s.fcgiChecks() { // fcgi_app.go: a post-parser, after the proxies' checks
		fatal = true
	}
	s.unusedMailers()
	if s.hasProgram && !s.cfg.Global.MasterWorker && !s.mworkerCmdline {
		s.d.Raw(Alert, "", 0, "config : Can't use a 'program' section without master worker mode.")
		fatal = true
	}
	s.peersWithoutLocal()
	s.typedResolvers()
	// Warnings come proxy by proxy, in HAProxy's order within a proxy.
	lfFatal := false
	for _, px := range s.cfg.Proxies {
		lfBad := false // a log-format that fails to build is left empty
		if px.LogFormat != "" {
			msg := checkLogFormat(px.LogFormat)
			if msg == "" {
				msg = s.formatMaps(px.LogFormat)
			}
			if msg != "" {
				at := px.LogFormatPos
				s.d.Raw(Alert, at.File, at.Line, fmt.Sprintf("config : Parsing [%s:%d]: failed to parse log-format : %s", at.File, at.Line, msg))
				lfFatal, lfBad = true, true
			}
		}
		kind := px.Kind
		if kind == "listen" {
			kind = "proxy"
		}
		// HAProxy's order for a non-HTTP proxy (checked with haproxy -c):
		// layer 7 hash, httplog, no bind, missing timeouts, HTTP rules.
		if px.Cap&CapBackend != 0 && px.Dispatch.Raw != "" && px.Balance.Algorithm != "" {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : dispatch address of %s '%s' will be ignored in balance mode.", kind, px.Name))
		}
		if px.Mode != "http" && px.Cookie != nil {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : cookie will be ignored for %s '%s' (needs 'mode http').", kind, px.Name))
		}
		if px.Mode != "http" && px.Cap&CapBackend != 0 && layer7Balance(px.Balance.Algorithm) {
			// The runtime (proxy/haproxycfg) balances such a backend round robin.
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Layer 7 hash not possible for %s '%s' (needs 'mode http'). Falling back to round robin.", kind, px.Name))
		}
		// Only a frontend logs, and only if httplog is still its format (a
		// later tcplog or log-format replaced it).
		for _, opt := range []string{"httplog", "httpslog"} {
			if px.Mode != "http" && px.Cap&CapFrontend != 0 && px.Options[opt] && px.LogFormat == "" && px.lfPos.Line > 0 {
				s.d.Warnf(px.lfPos.File, px.lfPos.Line, "'option %s' not usable with %s '%s' (needs 'mode http'). Falling back to 'option tcplog'.", opt, kind, px.Name)
			}
		}
		if px.Cap&CapFrontend != 0 && len(px.Binds) == 0 {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : %s '%s' has no 'bind' directive. Please declare it as a backend if this was intended.", kind, px.Name))
		}
		if px.TCPCheck.unusedHTTP && !px.HTTPCheck.Enabled {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : %s '%s' uses http-check rules without 'option httpchk', so the rules are ignored.", kind, px.Name))
		}
		if px.Cap&CapBackend == 0 && disableOn404(px) {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'disable-on-404' will be ignored for %s '%s' (requires 'option httpchk').", kind, px.Name))
		}
		if px.Mode != "log" {
			needClient := px.Cap&CapFrontend != 0
			needBack := px.Cap&CapBackend != 0 && (len(px.Servers) > 0 || px.Kind == "backend")
			if needClient && px.Timeouts.Client == 0 || needBack && (px.Timeouts.Connect == 0 || px.Timeouts.Server == 0) {
				x := s.d.Raw(Warning, "", 0, fmt.Sprintf("config : missing timeouts for %s '%s'.", kind, px.Name))
				x.Extra = []string{
					"   | While not properly invalid, you will certainly encounter various problems",
					"   | with such a configuration. To fix this, please ensure that all following",
					"   | timeouts are set to a non-zero value: 'client', 'connect', 'server'.",
				}
			}
		}
		if px.TCPCheck.unusedTCP {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : %s '%s' uses tcp-check rules without 'option tcp-check', so the rules are ignored.", kind, px.Name))
		}
		s.switchModeListenWarning(px) // tcp_content_misc.go
		if px.Mode != "http" {
			s.httpOnlyWarnings(px)
		} else if r := l6ResponseRule(px); r != nil {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : Proxy '%s': L6 sample fetches ignored on HTTP proxies (declared at %s:%d).", px.Name, r.Pos.File, r.Pos.Line))
		}
		if px.Cap&CapFrontend != 0 && (px.Options["httplog"] || px.Options["httpslog"] || px.Options["tcplog"] || px.LogFormat != "" && !lfBad) && !s.hasLogTarget(px) {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : log format ignored for %s '%s' since it has no log address.", kind, px.Name))
		}
		if px.Mode != "http" {
			for _, sv := range px.Servers {
				if sv.Cookie != "" {
					s.d.Raw(Warning, "", 0, fmt.Sprintf("config : %s '%s' : ignoring cookie for server '%s' as HTTP mode is disabled.", kind, px.Name, sv.Name))
				}
			}
		}
	}
	// Duplicate server names are found by a later pass, after the warnings.
	for _, px := range s.cfg.Proxies {
		kind := px.Kind
		if kind == "listen" {
			kind = "proxy"
		}
		seen := map[string]*Server{}
		for _, sv := range px.Servers {
			if prev := seen[sv.Name]; prev != nil {
				s.d.Alertf(sv.Pos.File, sv.Pos.Line, "%s '%s', another server named '%s' was already defined at line %d, please use distinct names.", kind, px.Name, sv.Name, prev.Pos.Line)
				fatal = true
				continue
			}
			seen[sv.Name] = sv
		}
	}
	fatal = s.serverCheckPorts() || fatal // server_mapports.go
	s.logForwardWarnings()
	s.ringTimeoutWarnings()
	return fatal || lfFatal
}

// disableOn404 says whether the proxy has an `http-check disable-on-404` line.
func disableOn404(px *Proxy) bool {
	for _, st := range px.HTTPCheck.Rules {
		if st.Kind == StepDisableOn404 {
			return true
		}
	}
	return false
}

// initAddrNone reads an init-addr list: none says a "none" method lets
// the server start without an address, libcFirst that a "libc" method
// comes before it (HAProxy then warns when the name does not resolve).
func initAddrNone(methods string) (libcFirst, none bool) {
	for _, m := range splitComma(methods) {
		switch m {
		case "libc":
			libcFirst = true
		case "none":
			return libcFirst, true
		}
	}
	return false, false
}

// l6ResponseFetches read a TCP stream's response bytes: on an HTTP
// stream they have no value (HAProxy's HTX), which HAProxy warns about.
var l6ResponseFetches = map[string]bool{"res.payload": true, "res.payload_lv": true, "res.len": true,
	"res.ssl_hello_type": true, "rep_ssl_hello_type": true}

// l6ResponseRule is the first tcp-response rule whose condition reads the
// response's bytes, or nil.
func l6ResponseRule(px *Proxy) *HTTPRule {
	reads := func(a ACL) bool { return l6ResponseFetches[a.Sample.Fetch.Name] }
	for i, r := range px.TCPResponseRules {
		if r.Cond == nil {
			continue
		}
		for _, and := range r.Cond.Or {
			for _, t := range and {
				if t.Anon != nil && reads(*t.Anon) {
					return &px.TCPResponseRules[i]
				}
				for _, a := range px.ACLs {
					if t.Anon == nil && a.Name == t.Name && reads(a) {
						return &px.TCPResponseRules[i]
					}
				}
			}
		}
	}
	return nil
}
