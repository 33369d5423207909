package haproxy

import (
	"fmt"
	"strconv"
)

// ErrorReply is one of a proxy's error page directives, kept in
// declaration order (defaults' first) because HAProxy 2.6 applies them in
// that order when the configuration is complete: for one status, the
// last directive wins.
type ErrorReply struct {
	Pos Pos
	// Kind is "errorfile", "errorloc302" (errorloc too), "errorloc303",
	// "errorfiles" or "http-error".
	Kind string
	Code int    // errorfile, errorloc*: the status
	Arg  string // the file, the URL, or the http-errors section's name
	// Codes are errorfiles' statuses (none: every one of the section).
	Codes []int
	// Reply is http-error's arguments after the keyword ("status", ...).
	Reply []string
}

// HTTPErrorsSection is an `http-errors` section: its errorfiles by status
// (a later line for a status replaces an earlier one).
func (c *Config) HTTPErrorsSection(name string) (map[int]string, bool) {
	for _, sec := range c.Others {
		if sec.Kind != "http-errors" || sec.Name != name {
			continue
		}
		files := map[int]string{}
		for _, st := range sec.Statements {
			if len(st.Args) == 3 && st.Args[0] == "errorfile" {
				if code, err := strconv.Atoi(st.Args[1]); err == nil {
					files[code] = st.Args[2]
				}
			}
		}
		return files, true
	}
	return nil, false
}

// parseErrorloc is errorloc, errorloc302 and errorloc303 <code> <url>.
func (s *state) parseErrorloc(px *Proxy, l *kwLine) bool {
	if len(l.w) < 3 {
		s.alert(l.p, "%s : expects <status_code> and <url> as arguments.\n", l.kw)
		return false
	}
	code, err := strconv.Atoi(l.arg(1))
	if err != nil || !errorfileCodes[code] {
		s.alert(l.p, "%s : status code '%s' not handled.", l.kw, l.arg(1))
		return false
	}
	kind := "errorloc302"
	if l.kw == "errorloc303" {
		kind = "errorloc303"
	}
	px.ErrorReplies = append(px.ErrorReplies, ErrorReply{Pos: l.p, Kind: kind, Code: code, Arg: l.arg(2)})
	return false
}

// errorfilesArgs checks `errorfiles <name> [<code> ...]`; ok is false
// when the line was refused.
func (s *state) errorfilesArgs(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "errorfiles : expects <name> as argument.")
		return false
	}
	r := ErrorReply{Pos: l.p, Kind: "errorfiles", Arg: l.arg(1)}
	for _, a := range tail(l.w, 2) {
		code, err := strconv.Atoi(a)
		if err != nil || !errorfileCodes[code] {
			s.alert(l.p, "errorfiles : status code '%s' not handled.", a)
			return false
		}
		r.Codes = append(r.Codes, code)
	}
	px.ErrorReplies = append(px.ErrorReplies, r)
	return true
}

// httpErrorArgs checks `http-error status <code> ...`'s status; the rest
// of the reply is checked where it is built (proxy/haproxycfg).
func (s *state) httpErrorArgs(px *Proxy, l *kwLine) bool {
	if l.arg(1) != "status" || l.arg(2) == "" {
		s.alert(l.p, "http-error : expects at least a <status> as arguments.\n")
		return false
	}
	code, err := strconv.Atoi(l.arg(2))
	switch {
	case err != nil || code < 200 || code > 599:
		s.alert(l.p, "http-error : Unexpected status code '%s'", l.arg(2))
		return false
	case !errorfileCodes[code]:
		s.alert(l.p, "http-error: status code '%d' not handled.", code)
		return false
	}
	px.ErrorReplies = append(px.ErrorReplies, ErrorReply{Pos: l.p, Kind: "http-error", Code: code, Reply: tail(l.w, 1)})
	return true
}

// errorfilesRefs warns about errorfiles codes its section does not
// declare (HAProxy's post-parse warning).
func (s *state) errorfilesRefs(px *Proxy) {
	for _, r := range px.ErrorReplies {
		if r.Kind != "errorfiles" || len(r.Codes) == 0 {
			continue
		}
		files, ok := s.cfg.HTTPErrorsSection(r.Arg)
		if !ok {
			continue // reported as unknown
		}
		for _, c := range r.Codes {
			if _, ok := files[c]; !ok {
				s.d.Raw(Warning, "", 0, fmt.Sprintf("config : config: proxy '%s' : status '%d' not declared in http-errors section '%s' (at %s:%d).",
					px.Name, c, r.Arg, r.Pos.File, r.Pos.Line))
			}
		}
	}
}
