package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the keywords that answer or tag requests on the proxy's
// behalf, or pick its server: `monitor-uri`, `monitor fail`,
// `http-send-name-header`, `use-server`, and the model of `option
// originalto`.

// Monitor is a frontend's `monitor-uri` and its `monitor fail` rules.
type Monitor struct {
	URI string // "" = none
	// Fail are the `monitor fail` conditions in order: the first that
	// holds turns the 200 into a 503.
	Fail []MonitorFail
}

// MonitorFail is one `monitor fail { if | unless } <condition>` line.
type MonitorFail struct {
	Pos  Pos
	Cond *Condition
}

// OriginalTo is "option originalto [except net] [header name]".
type OriginalTo struct {
	Except string
	Header string
}

// parseMonitorURI is `monitor-uri <uri>`: the last line wins; a proxy
// without a frontend side keeps none (HAProxy warned and ignores it).
func (s *state) parseMonitorURI(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	if px.Cap&CapFrontend != 0 {
		px.Monitor.URI = l.w[1]
	}
	return false
}

// parseMonitor is `monitor fail { if | unless } <condition>`.
func (s *state) parseMonitor(px *Proxy, l *kwLine) bool {
	if l.arg(1) != "fail" {
		s.alert(l.p, "'%s' only supports 'fail'.", l.kw)
		return false
	}
	if l.arg(2) != "if" && l.arg(2) != "unless" {
		s.alert(l.p, "'%s %s' requires either 'if' or 'unless' followed by a condition.", l.kw, l.arg(1))
		return false
	}
	cond, err := parseCondition(tail(l.w, 2))
	if err == nil && cond != nil {
		if bad := undefinedACL(px, cond); bad != "" {
			err = fmt.Errorf("no such ACL : '%s'", bad)
		} else if msg := s.anonACLError(cond); msg != "" {
			err = fmt.Errorf("%s", msg)
		}
	}
	if err != nil {
		s.alert(l.p, "error detected while parsing a '%s %s' condition : %s.", l.kw, l.arg(1), err)
		return false
	}
	if px.Cap&CapFrontend != 0 {
		px.Monitor.Fail = append(px.Monitor.Fail, MonitorFail{Pos: l.p, Cond: cond})
	}
	return false
}

// parseSendNameHeader is `http-send-name-header <header>` (HAProxy 2.6
// requires the name its documentation says is optional); a proxy without
// a backend side keeps none.
func (s *state) parseSendNameHeader(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' requires a header string.", l.kw)
		return false
	}
	if px.Cap&CapBackend != 0 {
		px.SendNameHeader = l.w[1]
	}
	return false
}

// optionOriginalTo parses the arguments of `option originalto` (rawChecks
// already refused a missing value).
func optionOriginalTo(w []string) *OriginalTo {
	ot := &OriginalTo{}
	for i := 2; i+1 < len(w); i++ {
		switch w[i] {
		case "except":
			ot.Except = w[i+1]
			i++
		case "header":
			ot.Header = w[i+1]
			i++
		}
	}
	return ot
}

// UseServer is one `use-server <server> { if | unless } <condition>` rule.
type UseServer struct {
	Pos    Pos
	Server string // a name, or a log-format string (dynamic)
	Cond   *Condition
}

// parseUseServer is `use-server`: HAProxy keeps the rule even in a
// proxy without a backend side (after its warning) and checks the server
// name once the configuration is read (checkUseServers).
func (s *state) parseUseServer(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects a server name.", l.kw)
		return false
	}
	if l.arg(2) != "if" && l.arg(2) != "unless" {
		s.alert(l.p, "'%s' requires either 'if' or 'unless' followed by a condition.", l.kw)
		return false
	}
	cond, err := parseCondition(tail(l.w, 2))
	if err == nil && cond != nil {
		if bad := undefinedACL(px, cond); bad != "" {
			err = fmt.Errorf("no such ACL : '%s'", bad)
		} else if msg := s.anonACLError(cond); msg != "" {
			err = fmt.Errorf("%s", msg)
		}
	}
	if err != nil {
		s.alert(l.p, "error detected while parsing switching rule : %s.", err)
		return false
	}
	px.UseServers = append(px.UseServers, UseServer{Pos: l.p, Server: l.w[1], Cond: cond})
	return false
}

// checkUseServers refuses a use-server rule naming no server of its
// proxy (a dynamic name is resolved per request); true = fatal.
func (s *state) checkUseServers(px *Proxy) bool {
	fatal := false
	for _, us := range px.UseServers {
		if strings.Contains(us.Server, "%[") {
			continue
		}
		found := false
		for _, sv := range px.Servers {
			found = found || sv.Name == us.Server
		}
		if !found {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : %s '%s' : unable to find server '%s' referenced in a 'use-server' rule.", kindWord(px), px.Name, us.Server))
			fatal = true
		}
	}
	return fatal
}
