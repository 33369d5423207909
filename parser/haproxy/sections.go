package haproxy

import (
	"fmt"
	"strconv"
)

// sectionHeader validates the name of a non-proxy section; true = abort.
func (s *state) sectionHeader(p Pos, kind, name string) bool {
	if name != "" {
		switch kind {
		case "cache":
			return s.cacheHeader(p, name) // cache.go
		case "fcgi-app":
			return s.fcgiHeader(p, name) // fcgi_app.go
		case "resolvers":
			return s.resolversHeader(p, name) // resolvers.go
		}
		return false
	}
	switch kind {
	case "fcgi-app":
		// HAProxy goes on, its statements then apply to the section
		// before (fcgiStatement does the same).
		s.alertRaw(p.File, p.Line, "'fcgi-app' expects <name> as argument.")
		s.fileFatal = true
		return false
	case "namespace_list":
		return false // takes no name
	case "userlist":
		s.alertRaw(p.File, p.Line, "'userlist' expects <name> as arguments.")
		s.fileFatal = true
		return false
	case "ring":
		s.alert(p, "missing ring name.")
		return false
	case "cache":
		s.alert(p, "'cache' expects a <name> argument")
	case "program":
		s.alert(p, "'program' expects an <id> argument")
	case "log-forward":
		s.alert(p, "missing name for ip-forward section.")
	default: // peers, resolvers, mailers, http-errors
		s.alert(p, "missing name for %s section.", kind)
	}
	s.abort = true
	return true
}

var ringFormats = []string{"iso", "local", "raw", "rfc3164", "rfc5424", "short", "priority", "timed"}

// sectionStatement validates one statement of a non-proxy section the way
// that section's HAProxy parser does; true = abort.
func (s *state) sectionStatement(sec *Section, p Pos, w []string) bool {
	arg := func(i int) string {
		if i < len(w) {
			return w[i]
		}
		return ""
	}
	serverLike := func(kw string) bool {
		if arg(2) == "" {
			s.alert(p, "'%s' expects <name> and <addr>[:<port>] as arguments.", kw)
			return false
		}
		a, err := ParseAddress(arg(2))
		if err == nil {
			err = serverPort(&a)
		}
		if err != nil {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server (null)/%s' : %s", p.File, p.Line, arg(1), err))
			s.fileFatal = true
			return false
		}
		return true
	}
	if sec.Kind == "fcgi-app" {
		s.fcgiStatement(p, w) // fcgi_app.go
		return false
	}
	switch sec.Kind + " " + w[0] {
	case "namespace_list namespace":
		// HAProxy opens /var/run/netns/<name> while parsing.
		if arg(1) != "" && !s.lookups.readable("/var/run/netns/"+arg(1)) {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: Cannot open namespace '%s'.", p.File, p.Line, arg(1)))
			s.fileFatal = true
		}
	case "userlist user", "userlist group":
		if arg(1) == "" {
			s.alertRaw(p.File, p.Line, fmt.Sprintf("'%s' expects <name> as arguments.", w[0]))
			s.fileFatal = true
		}
	case "peers peer", "peers server", "peers bind":
		// 2.6 forbids a "bind" line and "peer" lines in one section (the
		// local peer is then declared by "bind" and a "server" line).
		// Like 2.6, only lines that passed this check count.
		if s.peersLines == nil {
			s.peersLines = map[*Section][2]bool{}
		}
		seen := s.peersLines[sec] // [peer line, bind line]
		if (w[0] == "peer" && seen[1]) || (w[0] == "bind" && seen[0]) {
			s.alert(p, "mixing \"peer\" and \"bind\" line is forbidden")
			s.fileFatal = true
			return false
		}
		switch w[0] {
		case "peer":
			seen[0] = true
		case "bind":
			seen[1] = true
		}
		s.peersLines[sec] = seen
		if w[0] != "bind" && arg(2) != "" { // a bare "peer" line is accepted by 2.6
			serverLike(w[0])
		}
	case "resolvers nameserver":
		if arg(2) != "" {
			s.nameserverStatement(sec, p, arg(1)) // resolvers.go
		}
		serverLike("nameserver")
	case "resolvers parse-resolv-conf":
		s.resolvConfStatement(sec, p) // resolvers.go
	case "resolvers hold":
		switch arg(1) {
		case "nx", "timeout", "valid", "obsolete", "other", "refused":
		default:
			s.alert(p, "'hold' unknown <event>: '%s', expects either 'nx', 'timeout', 'valid', 'obsolete' or 'other'.", arg(1))
			return false
		}
		s.timerWarn(p, arg(2))
	case "resolvers timeout":
		if arg(1) != "retry" && arg(1) != "resolve" {
			s.alert(p, "'timeout' expects 'retry' or 'resolve' and <time> as arguments got '%s'.", arg(1))
			return false
		}
		s.timerWarn(p, arg(2))
	case "mailers mailer":
		serverLike("mailer")
	case "mailers timeout":
		if _, bad, err := ParseTime(arg(2)); err != nil && arg(2) != "" {
			s.alertRaw(p.File, p.Line, fmt.Sprintf("unexpected character '%c' in argument to <timeout mail>.", arg(2)[bad]))
			s.fileFatal = true
		} else {
			s.timerWarn(p, arg(2))
		}
	case "http-errors errorfile":
		code, err := strconv.Atoi(arg(1))
		switch {
		case err != nil || arg(2) == "":
			s.alert(p, "errorfile: expects <status_code> and <file> as arguments.")
		case !errorfileCodes[code]:
			s.alert(p, "errorfile : status code '%s' not handled.", arg(1))
		case !s.lookups.readable(arg(2)):
			s.alert(p, "errorfile : error opening file '%s'.", arg(2))
		}
	case "cache total-max-size", "cache max-object-size", "cache max-age", "cache process-vary", "cache max-secondary-entries":
		return s.cacheStatement(p, w) // cache.go
	case "program command":
		if arg(1) == "" {
			s.alertRaw(p.File, p.Line, "'command' expects a command with optional arguments separated in words.")
			s.fileFatal = true
		}
	case "program option", "program no":
		s.programOption(p, w) // master_program rows: only start-on-reload exists in 2.6
	case "program user", "program group":
		s.programAccount(sec, p, w)
	case "ring server":
		if arg(2) == "" {
			s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : [%s:%d] : 'server' expects <name> and <addr>[:<port>] as arguments.", p.File, p.Line))
			s.fileFatal = true
		}
	}
	return false
}

// sectionEnd runs the checks HAProxy makes when a section is complete.
func (s *state) sectionEnd(sec *Section) {
	if sec.Kind == "ring" {
		s.ringEnd()
	}
	if sec.Kind == "cache" {
		s.cacheEnd(sec) // cache.go
	}
}

// userlistRefs is the post-parse check of groups naming unknown users.
func (s *state) userlistRefs() bool {
	fatal := false
	for _, sec := range s.cfg.Others {
		if sec.Kind != "userlist" {
			continue
		}
		users := map[string]bool{}
		for _, st := range sec.Statements {
			if st.Args[0] == "user" && len(st.Args) > 1 {
				users[st.Args[1]] = true
			}
		}
		for _, st := range sec.Statements {
			if st.Args[0] != "group" {
				continue
			}
			for i := 2; i+1 < len(st.Args); i++ {
				if st.Args[i] != "users" {
					continue
				}
				for _, u := range splitComma(st.Args[i+1]) {
					if !users[u] {
						s.d.Raw(Alert, "", 0, fmt.Sprintf("config : userlist '%s': no such user '%s' specified in group '%s'", sec.Name, u, st.Args[1]))
						fatal = true
					}
				}
			}
		}
	}
	return fatal
}

func splitComma(v string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(v); i++ {
		if i == len(v) || v[i] == ',' {
			if i > start {
				out = append(out, v[start:i])
			}
			start = i + 1
		}
	}
	return out
}

// programOption checks a program section's "[no] option <name>" as
// HAProxy 2.6's cfg_parse_program does: start-on-reload is its only option.
func (s *state) programOption(p Pos, w []string) {
	if w[0] == "no" {
		if len(w) < 2 || w[1] != "option" {
			s.alertRaw(p.File, p.Line, "negation/default currently supported only for options, log, busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping.")
			if len(w) > 1 {
				s.alert(p, "unknown keyword '%s' in 'program' section", w[1])
			}
			s.fileFatal = true
			return
		}
		w = w[1:]
	}
	switch {
	case len(w) < 2 || w[1] == "":
		s.alertRaw(p.File, p.Line, "'option' expects an option name.")
		s.fileFatal = true
	case w[1] != "start-on-reload":
		s.alert(p, "unknown option '%s'.", w[1])
	case len(w) > 2:
		s.alert(p, "'option start-on-reload' cannot handle unexpected argument '%s'.", w[2])
	}
}

// programAccount checks a program section's user/group as HAProxy 2.6's
// cfg_parse_program does: a name (getpwnam/getgrnam, no numeric id) that
// must exist; a second one is an alert that does not fail the file, and
// the first one stays (the runtime reads the first statement).
func (s *state) programAccount(sec *Section, p Pos, w []string) {
	kw := w[0]
	switch {
	case len(w) < 2 || w[1] == "":
		s.alertRaw(p.File, p.Line, fmt.Sprintf("'%s' expects a %s name.", kw, kw))
		s.fileFatal = true
		return
	case len(w) > 2:
		s.alert(p, "'%s' cannot handle unexpected argument '%s'.", kw, w[2])
		return
	}
	for _, st := range sec.Statements {
		if st.Args[0] == kw && len(st.Args) == 2 && s.namedAccount(kw, st.Args[1]) {
			// ERR_ALERT without ERR_FATAL in 2.6: the file stays valid.
			s.d.Alertf(p.File, p.Line, "%s/%s already specified. Continuing.", kw, map[string]string{"user": "uid", "group": "gid"}[kw])
			return
		}
	}
	if !s.namedAccount(kw, w[1]) {
		s.alert(p, "cannot find %s id for '%s' (0:Success)", kw, w[1])
	}
}
