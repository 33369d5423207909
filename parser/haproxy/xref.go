package haproxy

import (
	"cmp"
	"fmt"
	"strings"
)

// sectionNamed finds a non-proxy section by kind and name.
func (s *state) sectionNamed(kind, name string) *Section {
	for _, o := range s.cfg.Others {
		if o.Kind == kind && o.Name == name {
			return o
		}
	}
	return nil
}

// stickTableNamed is the stick-table of the proxy named name, or the
// peers section's table of that ID ("<section>/<table>"), or nil.
func (s *state) stickTableNamed(name string) *StickTable {
	for _, px := range s.cfg.Proxies {
		if px.Name == name && px.StickTable != nil {
			return px.StickTable
		}
	}
	return s.peersTableNamed(name)
}

// rawArgs returns the raw statements of a proxy starting with keyword.
func rawArgs(px *Proxy, keyword string) []Statement {
	var out []Statement
	for _, st := range px.Raw {
		if st.Args[0] == keyword {
			out = append(out, st)
		}
	}
	return out
}

// sectionRefs checks a proxy's references to other sections in the order
// HAProxy's post-parse pass reports them; true on fatal errors.
func (s *state) sectionRefs(px *Proxy) bool {
	fatal := false
	// email-alert needs from, mailers and to together.
	ea := map[string]bool{}
	mailers := ""
	for _, st := range rawArgs(px, "email-alert") {
		if len(st.Args) > 1 {
			ea[st.Args[1]] = true
		}
		if len(st.Args) > 2 && st.Args[1] == "mailers" {
			mailers = st.Args[2]
		}
	}
	if len(ea) > 0 && !(ea["from"] && ea["mailers"] && ea["to"]) {
		s.d.Raw(Warning, "", 0, fmt.Sprintf("config : 'email-alert' will be ignored for proxy '%s' (the presence any of 'email-alert from', 'email-alert level' 'email-alert mailers', 'email-alert myhostname', or 'email-alert to' requires each of 'email-alert from', 'email-alert mailers' and 'email-alert to' to be present).", px.Name))
	} else if len(ea) > 0 && s.sectionNamed("mailers", mailers) == nil {
		s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find mailers '%s'.", px.Name, mailers))
		fatal = true
	}
	for _, st := range rawArgs(px, "stick-table") {
		for i := 1; i+1 < len(st.Args); i++ {
			if st.Args[i] == "peers" && s.sectionNamed("peers", st.Args[i+1]) == nil {
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find sync peers '%s'.", px.Name, st.Args[i+1]))
				fatal = true
			}
		}
	}
	// track-sc's table: the proxy's own or the one named.
	if s.trackTableRefs(px) {
		fatal = true
	}
	// stick rules' table: the proxy's own or the one named.
	for _, r := range px.StickRules {
		if name := cmp.Or(r.Table, px.Name); s.stickTableNamed(name) == nil {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find stick-table '%s'.", px.Name, name))
			fatal = true
		}
	}
	// http_auth(userlist) / http_auth_group(userlist) in ACLs and rules:
	// HAProxy resolves them with the other sample arguments.
	var resolution []argError
	checkAuth := func(p Pos, criterion string) {
		name := fetchName(criterion)
		if name != "http_auth" && name != "http_auth_group" {
			return
		}
		ul := strings.TrimSuffix(strings.TrimPrefix(criterion[len(name):], "("), ")")
		if s.sectionNamed("userlist", ul) == nil {
			resolution = append(resolution, argError{p, fmt.Sprintf("unable to find userlist '%s' referenced in arg 1 of ACL keyword '%s' in proxy '%s'.", ul, name, px.Name)})
		}
	}
	// http_auth_group's patterns are groups of its userlist (HAProxy
	// checks them once the userlists are resolved).
	checkGroups := func(a ACL) {
		if a.Sample.Fetch.Name != "http_auth_group" || len(a.Sample.Fetch.Args) != 1 {
			return
		}
		ul := s.cfg.UserlistNamed(a.Sample.Fetch.Args[0].Str)
		if ul == nil {
			return // checkAuth reported it
		}
		if len(a.Match.Patterns) == 0 {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : proxy %s: acl %s %s(): no groups specified.", px.Name, a.Name, a.Sample.Fetch.Name))
			fatal = true
			return
		}
		for _, g := range a.Match.Patterns {
			if !contains(ul.Groups, g) {
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : proxy %s: acl %s %s(): invalid group '%s'.", px.Name, a.Name, a.Sample.Fetch.Name, g))
				fatal = true
				return
			}
		}
	}
	for _, a := range px.ACLs {
		checkAuth(a.Pos, a.Sample.Text)
		checkGroups(a)
	}
	for _, rules := range [][]HTTPRule{px.HTTPRequestRules, px.HTTPResponseRules, px.HTTPAfterResponseRules} {
		for _, r := range rules {
			if r.Cond == nil {
				continue
			}
			for _, and := range r.Cond.Or {
				for _, t := range and {
					if t.Anon != nil {
						checkAuth(r.Pos, t.Anon.Sample.Text)
						checkGroups(*t.Anon)
					}
				}
			}
		}
	}
	fatal = s.sampleArgRefs(px, resolution) || fatal
	fatal = s.cacheFilterChecks(px) || fatal // cache.go
	fatal = s.fcgiFilterCheck(px) || fatal   // fcgi_app.go
	for _, sv := range px.Servers {
		if r, ok := sv.Other["resolvers"]; ok && !s.resolversExist(r) {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : %s '%s', server '%s': unable to find required resolvers '%s'", kindWord(px), px.Name, sv.Name, r))
			fatal = true
		}
	}
	s.errorfilesRefs(px)
	for _, st := range px.ErrorFilesRef {
		if len(st.Args) > 1 && s.sectionNamed("http-errors", st.Args[1]) == nil {
			s.d.Raw(Alert, "", 0, fmt.Sprintf("config : proxy '%s': unknown http-errors section '%s' (at %s:%d).", px.Name, st.Args[1], st.Pos.File, st.Pos.Line))
			fatal = true
		}
	}
	return fatal
}

// stickTableRef is a table named in a sample: in argument arg of its
// fetch (conv "") or of its converter conv; table "" is the proxy's own.
type stickTableRef struct {
	table, conv string
	arg         int
}

// stickIndexed are the stick fetch suffixes and converters taking an
// array index before the rest.
var stickIndexed = map[string]bool{"get_gpc": true, "get_gpt": true, "gpc_rate": true, "inc_gpc": true, "clr_gpc": true,
	"table_gpc": true, "table_gpt": true, "table_gpc_rate": true}

// stickSuffixes are the names after sc_, scN_ or src_ of the stick-table
// fetches (src_port and src_is_local are others).
var stickSuffixes = setOf([]string{"conn_cnt", "conn_cur", "conn_rate", "sess_cnt", "sess_rate", "http_req_cnt",
	"http_req_rate", "http_err_cnt", "http_err_rate", "http_fail_cnt", "http_fail_rate", "bytes_in_rate", "bytes_out_rate",
	"kbytes_in", "kbytes_out", "get_gpc0", "get_gpc1", "get_gpt0", "gpc0_rate", "gpc1_rate", "inc_gpc0", "inc_gpc1",
	"clr_gpc0", "clr_gpc1", "get_gpc", "get_gpt", "gpc_rate", "inc_gpc", "clr_gpc", "trackers", "tracked", "updt_conn_cnt"})

// stickTableRefs lists the tables a sample's stick fetch (sc_*, scN_*,
// src_*) and table_* / in_table converters name.
func stickTableRefs(smp Sample) []stickTableRef {
	var out []stickTableRef
	f := smp.Fetch
	need, rest := -1, ""
	switch {
	case strings.HasPrefix(f.Name, "sc_"):
		need, rest = 1, f.Name[3:]
	case len(f.Name) > 4 && f.Name[:2] == "sc" && f.Name[2] >= '0' && f.Name[2] <= '9' && f.Name[3] == '_':
		need, rest = 0, f.Name[4:]
	case strings.HasPrefix(f.Name, "src_"):
		need, rest = 0, f.Name[4:]
	case f.Name == "table_cnt" || f.Name == "table_avl":
		need = 0
	}
	if need >= 0 && fetchSet[f.Name] && (stickSuffixes[rest] || f.Name == "table_cnt" || f.Name == "table_avl") {
		if stickIndexed[rest] {
			need++
		}
		switch {
		case len(f.Args) > need:
			out = append(out, stickTableRef{table: f.Args[need].Str, arg: need + 1})
		case need == 0 && !strings.HasPrefix(f.Name, "sc"):
			// src_* and table_* without a table read the proxy's own,
			// which HAProxy resolves (and requires) at start; an sc
			// form reads the table its counter tracks.
			out = append(out, stickTableRef{arg: 1})
		}
	}
	for _, c := range smp.Converters {
		if c.Name != "in_table" && !strings.HasPrefix(c.Name, "table_") {
			continue
		}
		need := 0
		if stickIndexed[c.Name] {
			need = 1
		}
		if len(c.Args) > need {
			out = append(out, stickTableRef{table: c.Args[need].Str, conv: c.Name, arg: need + 1})
		}
	}
	return out
}

// trackTableRefs checks the table of each track-sc in px's rules: the one
// named, else the proxy's own (a defaults section's name, which no table
// has). True on an error.
func (s *state) trackTableRefs(px *Proxy) bool {
	fatal := false
	tracks := append(px.HTTPRequestRules[:len(px.HTTPRequestRules):len(px.HTTPRequestRules)], px.TCPConnRules...)
	tracks = append(tracks, px.TCPSessTracks...)
	tracks = append(tracks, px.HTTPResponseRules...)
	for _, r := range append(tracks, px.TCPContentTracks...) {
		if a, ok, msg := ParseSCAction(r.Action, r.Args); ok && msg == "" && a.Verb == "track-sc" {
			name := cmp.Or(a.Table, px.Name)
			if s.stickTableNamed(name) == nil {
				s.d.Raw(Alert, "", 0, fmt.Sprintf("config : Proxy '%s': unable to find table '%s' referenced by track-sc%d.", px.Name, name, a.SC))
				fatal = true
			}
		}
	}
	return fatal
}
