package haproxy

import (
	"fmt"
	"regexp"
	"strings"
)

// FCGIApp is a typed fcgi-app section (HAProxy's fcgi-app.c): what the
// FastCGI servers of a backend that uses it are sent (proxy/fcgi).
type FCGIApp struct {
	Name string
	Pos  Pos
	// DocRoot and Index build SCRIPT_FILENAME and SCRIPT_NAME; PathInfo
	// is the path-info regex ("" = none).
	DocRoot, Index, PathInfo string
	// KeepConn is `option keep-conn`, on unless negated.
	KeepConn bool
	// ACLs are the section's acl lines, which its rules' conditions name.
	ACLs []ACL
	// SetParams are the set-param rules and PassHeaders the pass-header
	// ones, in configuration order (HAProxy's implicit REMOTE_USER and
	// AUTH_TYPE rules and hidden headers are the runtime's).
	SetParams, PassHeaders []FCGIRule
	// LogStderr are the log-stderr targets ("global": the global
	// section's), where the application's STDERR records are logged.
	LogStderr []LogTarget
}

// FCGIRule is a set-param (Value: its log-format) or pass-header rule
// of an fcgi-app, Name as written.
type FCGIRule struct {
	Pos         Pos
	Name, Value string
	Cond        *Condition
}

// FCGIAppNamed is the fcgi-app section called name, or nil.
func (c *Config) FCGIAppNamed(name string) *FCGIApp {
	for _, a := range c.FCGIApps {
		if a.Name == name {
			return a
		}
	}
	return nil
}

// fcgiHeader checks an fcgi-app section's name (HAProxy's
// cfg_parse_fcgi_app); true = abort.
func (s *state) fcgiHeader(p Pos, name string) bool {
	if c := invalidNameChar(name); c != 0 {
		s.alertRaw(p.File, p.Line, fmt.Sprintf("character '%c' is not permitted in 'fcgi-app' name '%s'.", c, name))
		return false
	}
	if a := s.cfg.FCGIAppNamed(name); a != nil {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : Parsing [%s:%d]: fcgi-app section '%s' has the same name as another one declared at %s:%d.",
			p.File, p.Line, name, a.Pos.File, a.Pos.Line))
		s.fileFatal = true
	}
	s.cfg.FCGIApps = append(s.cfg.FCGIApps, &FCGIApp{Name: name, Pos: p, KeepConn: true})
	return false
}

// fcgiStatement types one statement of the fcgi-app section being read,
// with HAProxy 2.6's checks and messages. The statements goha does not
// run are refused by their class rows (acl, set-param, pass-header,
// log-stderr) or here (options get-values and mpxs-conns).
func (s *state) fcgiStatement(p Pos, w []string) {
	if len(s.cfg.FCGIApps) == 0 {
		return
	}
	app := s.cfg.FCGIApps[len(s.cfg.FCGIApps)-1]
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	at := func(format string, a ...any) {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d] : ", p.File, p.Line)+fmt.Sprintf(format, a...))
		s.fileFatal = true
	}
	tooMany := func(max int) bool {
		if len(w) > max+1 {
			s.alertRaw(p.File, p.Line, fmt.Sprintf("'%s' cannot handle unexpected argument '%s'.", w[0], w[max+1]))
			s.fileFatal = true
			return true
		}
		return false
	}
	neg := false
	if w[0] == "no" && len(w) > 1 {
		neg, w = true, w[1:]
		if w[0] != "option" {
			// HAProxy's section reader refuses it, then the keyword
			// reads its line as a negated one.
			s.alertRaw(p.File, p.Line, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
			s.fileFatal = true
		}
	}
	switch w[0] {
	case "docroot", "index", "path-info":
		what := map[string]string{"docroot": "<path>", "index": "<filename>", "path-info": "<regex>"}[w[0]]
		if arg(1) == "" {
			at("'%s' expects %s as argument.", w[0], what)
			return
		}
		if tooMany(1) {
			return
		}
		switch w[0] {
		case "docroot":
			app.DocRoot = arg(1)
		case "index":
			app.Index = arg(1)
		case "path-info":
			if _, err := regexp.Compile(arg(1)); err != nil {
				at("'%s' : regex '%s' is invalid (error=%s, erroffset=%d).", arg(1), arg(1), pcreWording(err), len(arg(1)))
				return
			}
			app.PathInfo = arg(1)
		}
	case "option":
		switch arg(1) {
		case "":
			s.alertRaw(p.File, p.Line, fmt.Sprintf("'%s' expects an option name.", w[0]))
			s.fileFatal = true
		case "keep-conn":
			if !tooMany(1) {
				app.KeepConn = !neg
			}
		case "get-values", "mpxs-conns":
			if !tooMany(1) && !neg {
				s.d.Unsupported(p.File, p.Line, "fcgi-app option "+arg(1))
			}
		case "max-reqs":
			// Without get-values or mpxs-conns (refused), HAProxy warns
			// and keeps one request per connection (fcgiChecks).
			switch {
			case neg:
				s.alertRaw(p.File, p.Line, fmt.Sprintf("negation/default is not supported for option '%s'.", arg(1)))
				s.fileFatal = true
			case arg(2) == "":
				s.alertRaw(p.File, p.Line, fmt.Sprintf("option '%s' expects an integer argument.", arg(1)))
				s.fileFatal = true
			case tooMany(2):
			case atoiPrefix(arg(2)) == 0:
				s.alertRaw(p.File, p.Line, fmt.Sprintf("option '%s' expects a strictly positive integer argument.", arg(1)))
				s.fileFatal = true
			case atoiPrefix(arg(2)) > 1:
				s.fcgiMaxReqs = append(s.fcgiMaxReqs, app.Name)
			}
		default:
			at("unknown option '%s'.", arg(1))
		}
	case "set-param":
		if arg(1) == "" || arg(2) == "" {
			at("'%s' expects <name> and <value> as arguments.", w[0])
			return
		}
		app.SetParams = append(app.SetParams, FCGIRule{Pos: p, Name: w[1], Value: w[2], Cond: s.fcgiCond(app, p, w[1], w[3:])})
	case "pass-header":
		if arg(1) == "" {
			at("'%s' expects <name> as arguments.", w[0])
			return
		}
		app.PassHeaders = append(app.PassHeaders, FCGIRule{Pos: p, Name: w[1], Cond: s.fcgiCond(app, p, w[1], w[2:])})
	case "acl":
		s.fcgiACL(app, p, w)
	case "log-stderr":
		s.fcgiLogStderr(app, p, w, neg)
	}
}

// fcgiLogStderr reads a log-stderr line as HAProxy's parse_logsrv does
// for it: a log line's grammar and messages under its own name (the
// negated form, which HAProxy refused already, clears the list).
func (s *state) fcgiLogStderr(app *FCGIApp, p Pos, w []string, neg bool) {
	at := func(msg string) {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d] : log-stderr : %s", p.File, p.Line, msg))
		s.fileFatal = true
	}
	if neg {
		if len(w) > 1 {
			at("'no log' does not expect arguments")
		}
		app.LogStderr = nil
		return
	}
	t, msg := ParseLogTarget(p, append([]string{"log"}, w[1:]...))
	if msg == "" && !t.Global {
		msg = s.logTargetResolves(w[1])
	}
	if rest, ok := strings.CutPrefix(t.Invalid, "log: invalid len '"); msg == "" && ok {
		// A proxy's log line with it is refused by goha; here HAProxy's.
		v, _, _ := strings.Cut(rest, "'")
		msg = fmt.Sprintf("invalid log length '%s', must be between 80 and 65535", v)
	}
	if msg != "" {
		msg = strings.TrimPrefix(msg, "log : ")
		if strings.HasPrefix(msg, "expects <address>") {
			msg = "expects <address> and <facility> or global as arguments"
		}
		at(msg)
		if strings.HasPrefix(msg, "invalid address") {
			s.d.List[len(s.d.List)-1].Extra = []string{""} // HAProxy's ends with a newline
		}
		return
	}
	app.LogStderr = append(app.LogStderr, t)
}

// fcgiCond parses a rule's condition over the section's ACLs, with
// HAProxy's alert naming the rule's name (a word other than if or unless
// gives HAProxy's "(null)").
func (s *state) fcgiCond(app *FCGIApp, p Pos, name string, w []string) *Condition {
	if len(w) == 0 {
		return nil
	}
	msg := "(null)"
	if w[0] == "if" || w[0] == "unless" {
		cond, err := parseCondition(w)
		switch {
		case err != nil:
			msg = err.Error()
		case undefinedACLIn(app.ACLs, cond) != "":
			msg = fmt.Sprintf("no such ACL : '%s'", undefinedACLIn(app.ACLs, cond))
		case s.anonACLError(cond) != "":
			msg = s.anonACLError(cond)
		default:
			return cond
		}
	}
	s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d] : '%s' : %s.", p.File, p.Line, name, msg))
	s.fileFatal = true
	return nil
}

// fcgiACL reads an acl line of an fcgi-app (HAProxy's checks and
// messages there: its name, then the proxy acl's).
func (s *state) fcgiACL(app *FCGIApp, p Pos, w []string) {
	at := func(format string, a ...any) {
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d] : ", p.File, p.Line)+fmt.Sprintf(format, a...))
		s.fileFatal = true
	}
	name := ""
	if len(w) > 1 {
		name = w[1]
	}
	if c := invalidNameChar(name); c != 0 {
		at("character '%c' is not permitted in acl name '%s'.", c, name)
		return
	}
	if strings.EqualFold(name, "or") {
		at("acl name '%s' will never match. 'or' is used to express a logical disjunction within a condition.", name)
		return
	}
	if len(w) < 3 {
		at("error detected while parsing ACL '%s' : missing fetch method in ACL expression ''.", name)
		return
	}
	a := newACL(p, name, w[2:])
	if msg := s.checkACL(a); msg != "" {
		at("error detected while parsing ACL '%s' : %s.", name, msg)
		return
	}
	if noPatternWarning(a) {
		x := s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing acl keyword '%s' :", a.Sample.Text))
		x.Extra = noPatternExtra
	}
	app.ACLs = append(app.ACLs, a)
}

// fcgiFilterCheck is HAProxy's fcgi_flt_check for a proxy using an
// fcgi-app; true = fatal.
func (s *state) fcgiFilterCheck(px *Proxy) bool {
	if px.UseFCGIApp == "" || s.cfg.FCGIAppNamed(px.UseFCGIApp) != nil {
		return false
	}
	s.d.Raw(Alert, "", 0, fmt.Sprintf("config : proxy '%s' : fcgi-app '%s' not found.", px.Name, px.UseFCGIApp))
	return true
}

// fcgiChecks is HAProxy's cfg_fcgi_apps_postparser: it stops at the first
// fatal finding, as HAProxy's does; true = fatal.
func (s *state) fcgiChecks() bool {
	fail := func(format string, a ...any) bool {
		s.d.Raw(Alert, "", 0, "config : "+fmt.Sprintf(format, a...))
		return true
	}
	for _, px := range s.cfg.Proxies {
		if px.Cap&CapBackend == 0 {
			continue
		}
		if px.Mode == "tcp" && px.UseFCGIApp != "" {
			return fail("proxy '%s': FCGI application cannot be used in non-HTTP mode.", px.Name)
		}
		fcgiServers := 0
		for _, sv := range px.Servers {
			if sv.Other["proto"] != "fcgi" {
				continue
			}
			fcgiServers++
			if px.UseFCGIApp == "" {
				return fail("proxy '%s': FCGI server '%s' has no FCGI app configured.", px.Name, sv.Name)
			}
		}
		if px.UseFCGIApp != "" && fcgiServers == 0 {
			return fail("proxy '%s': FCGI app configured but no FCGI server found.", px.Name)
		}
	}
	for i := len(s.cfg.FCGIApps) - 1; i >= 0; i-- { // HAProxy's list is newest first
		a := s.cfg.FCGIApps[i]
		if a.DocRoot == "" {
			return fail("fcgi-app '%s': no docroot configured.", a.Name)
		}
		if contains(s.fcgiMaxReqs, a.Name) {
			s.d.Raw(Warning, "", 0, fmt.Sprintf("config : fcgi-app '%s': multiplexing not supported, ignore the option 'max-reqs'.", a.Name))
		}
	}
	return false
}

// parseUseFCGIApp reads `use-fcgi-app <name>` (HAProxy's
// proxy_parse_use_fcgi_app).
func (s *state) parseUseFCGIApp(px *Proxy, l *kwLine) bool {
	switch {
	case px.Cap&CapBackend == 0:
		s.alert(l.p, "'%s' only available in backend or listen section", l.kw)
	case l.arg(1) == "":
		s.alert(l.p, "'%s' expects <name> as argument", l.kw)
	case px.UseFCGIApp != "" && px.UseFCGIApp != l.arg(1):
		s.alert(l.p, "'%s' : only one fcgi-app supported per backend", l.kw)
	default:
		px.UseFCGIApp, px.UseFCGIAppPos = l.arg(1), l.p
		if r, ok := ClassOf("proxy", l.kw); !ok || r.Class != Implemented {
			s.d.Unsupported(l.p.File, l.p.Line, l.kw)
		}
	}
	return false
}

// invalidNameChar is the first byte HAProxy's invalid_char refuses in a
// name (letters, digits, '.', '_', '-' and ':' pass), 0 when none.
func invalidNameChar(name string) byte {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-' || c == ':') {
			return c
		}
	}
	return 0
}
