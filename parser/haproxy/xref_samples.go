package haproxy

import (
	"cmp"
	"fmt"
	"sort"
	"strings"
)

// The fetches whose argument names a proxy or a server, which HAProxy
// resolves once the configuration is read (smp_resolve_args) and refuses
// when the name is none: a backend ([<backend>]), a frontend
// ([<frontend>]), or a server ([<backend>/]<server>). An omitted name is
// the proxy the sample is in, which must then have the capability.
var (
	fetchBackendArg  = setOf([]string{"avg_queue", "be_conn", "be_conn_free", "be_sess_rate", "connslots", "nbsrv", "queue"})
	fetchFrontendArg = setOf([]string{"fe_conn", "fe_req_rate", "fe_sess_rate"})
	fetchServerArg   = setOf([]string{"srv_conn", "srv_conn_free", "srv_is_up", "srv_iweight", "srv_queue", "srv_sess_rate",
		"srv_uweight", "srv_weight"})
)

// argError is one argument HAProxy's smp_resolve_args cannot resolve:
// where, and its message without the "parsing [file:line]: " prefix.
type argError struct {
	pos Pos
	msg string
}

// sampleArgRefs checks the proxy, server and stick-table names the
// fetches and converters of px's ACLs, rule conditions, set-var
// expressions and log-format expressions give (an omitted table is the
// proxy's own), adds them to the errors already found (userlists), and
// reports them all as HAProxy does: one alert, or, for several, one alert
// "multiple argument resolution errors:" listing them in file order.
// True on an error.
func (s *state) sampleArgRefs(px *Proxy, errs []argError) bool {
	check := func(p Pos, smp Sample, where string) {
		if msg := s.proxyArgError(px, smp.Fetch, where); msg != "" {
			errs = append(errs, argError{p, msg})
		}
		for _, m := range stickTableRefs(smp) {
			ctx := fmt.Sprintf(where, smp.Fetch.Name)
			if m.conv != "" {
				ctx = fmt.Sprintf("conversion keyword '%s' for %s", m.conv, ctx)
			}
			if m.table == "" && px.Kind == "defaults" {
				// a defaults section has no table of its own
				errs = append(errs, argError{p, fmt.Sprintf("table name must be set in arg %d of %s proxy '%s'.", m.arg, ctx, px.Name)})
				continue
			}
			table := cmp.Or(m.table, px.Name)
			if s.stickTableNamed(table) != nil {
				continue
			}
			errs = append(errs, argError{p, fmt.Sprintf("unable to find table '%s' referenced in arg %d of %s proxy '%s'.", table, m.arg, ctx, px.Name)})
		}
	}
	for _, a := range px.ACLs {
		check(a.Pos, a.Sample, "ACL keyword '%s' in")
	}
	for i, rules := range [][]HTTPRule{px.HTTPRequestRules, px.HTTPResponseRules} {
		where := [...]string{"sample fetch keyword '%s' in http-request expression in", "sample fetch keyword '%s' in http-response expression in"}[i]
		for _, r := range rules {
			if r.Cond != nil {
				for _, and := range r.Cond.Or {
					for _, t := range and {
						if t.Anon != nil {
							check(r.Pos, t.Anon.Sample, "ACL keyword '%s' in")
						}
					}
				}
			}
			if strings.HasPrefix(r.Action, "set-var(") && len(r.Args) > 0 {
				check(r.Pos, ParseSample(r.Args[0]), where)
			}
			for _, a := range r.Args {
				for _, e := range formatSamples(a) {
					check(r.Pos, ParseSample(e), where)
				}
			}
		}
	}
	// The conditions of the tcp rules and use_backend (their named ACLs
	// are px.ACLs, checked above).
	condACLs := func(p Pos, c *Condition) {
		if c == nil {
			return
		}
		for _, and := range c.Or {
			for _, t := range and {
				if t.Anon != nil {
					check(p, t.Anon.Sample, "ACL keyword '%s' in")
				}
			}
		}
	}
	tcpLists := [][]HTTPRule{px.TCPConnRules, px.TCPSessTracks, px.TCPContentRules, px.TCPContentTracks}
	for i, rules := range tcpLists {
		where := "sample fetch keyword '%s' in tcp-request " + [...]string{"connection", "session", "content", "content"}[i] + " expression in"
		for _, r := range rules {
			condACLs(r.Pos, r.Cond)
			if strings.HasPrefix(r.Action, "set-var(") && len(r.Args) > 0 {
				check(r.Pos, ParseSample(r.Args[0]), where)
			}
		}
	}
	for _, r := range px.TCPResponseRules {
		condACLs(r.Pos, r.Cond)
		if strings.HasPrefix(r.Action, "set-var(") && len(r.Args) > 0 {
			check(r.Pos, ParseSample(r.Args[0]), "sample fetch keyword '%s' in tcp-response content expression in")
		}
	}
	if px.Kind != "defaults" {
		// a defaults section's log-format is compiled in the proxies
		// that inherit it
		for _, ub := range px.UseBackends {
			condACLs(ub.Pos, ub.Cond)
		}
		for _, e := range formatSamples(px.LogFormat) {
			check(px.LogFormatPos, ParseSample(e), "sample fetch keyword '%s' in log-format expression in")
		}
	}
	switch {
	case len(errs) == 1:
		p := errs[0].pos
		s.d.Raw(Alert, p.File, p.Line, fmt.Sprintf("config : parsing [%s:%d]: %s", p.File, p.Line, errs[0].msg))
	case len(errs) > 1:
		sort.SliceStable(errs, func(i, j int) bool {
			return errs[i].pos.File == errs[j].pos.File && errs[i].pos.Line < errs[j].pos.Line
		})
		var b strings.Builder
		b.WriteString("config : multiple argument resolution errors:")
		for _, e := range errs {
			fmt.Fprintf(&b, "\n        parsing [%s:%d]: %s", e.pos.File, e.pos.Line, e.msg)
		}
		s.d.Raw(Alert, "", 0, b.String())
	}
	return len(errs) > 0
}

// formatSamples are the expressions of the %[...] in a log-format string.
func formatSamples(s string) []string {
	var out []string
	for {
		i := strings.Index(s, "%[")
		if j := strings.Index(s, "%{"); j >= 0 && (i < 0 || j < i) {
			if k := strings.Index(s[j:], "}["); k >= 0 {
				i = j + k // "%{+Q}[expr]": skip the flags
			}
		}
		if i < 0 {
			return out
		}
		s = s[i+2:]
		depth := 1
		end := -1
		for j := 0; j < len(s) && end < 0; j++ {
			switch s[j] {
			case '[':
				depth++
			case ']':
				if depth--; depth == 0 {
					end = j
				}
			}
		}
		if end < 0 {
			return out
		}
		out = append(out, s[:end])
		s = s[end+1:]
	}
}

// proxyArgError is HAProxy's message for f's proxy or server argument
// naming nothing usable, or "".
func (s *state) proxyArgError(px *Proxy, f Fetch, where string) string {
	kind := ""
	switch {
	case fetchBackendArg[f.Name]:
		kind = "backend"
	case fetchFrontendArg[f.Name]:
		kind = "frontend"
	case fetchServerArg[f.Name]:
		kind = "server"
	default:
		return ""
	}
	arg := ""
	if len(f.Args) > 0 {
		arg = f.Args[0].Str
	}
	ctx := fmt.Sprintf(where, f.Name) + fmt.Sprintf(" proxy '%s'", px.Name)
	if kind == "server" {
		if arg == "" {
			return fmt.Sprintf("missing server name in arg 1 of %s.", ctx)
		}
		target, pname, sname := px, px.Name, arg
		if i := strings.LastIndexByte(arg, '/'); i >= 0 {
			pname, sname = arg[:i], arg[i+1:]
			if target = s.proxyWith(pname, "backend"); target == nil {
				return fmt.Sprintf("unable to find proxy '%s' referenced in arg 1 of %s.", pname, ctx)
			}
		}
		for _, sv := range target.Servers {
			if sv.Name == sname {
				return ""
			}
		}
		return fmt.Sprintf("unable to find server '%s' in proxy '%s', referenced in arg 1 of %s.", sname, pname, ctx)
	}
	if arg != "" {
		if s.proxyWith(arg, kind) == nil {
			return fmt.Sprintf("unable to find %s '%s' referenced in arg 1 of %s.", kind, arg, ctx)
		}
		return ""
	}
	if !hasCap(px, kind) {
		return fmt.Sprintf("proxy '%s', referenced in arg 1 of %s, has not %s capability.", px.Name, ctx, kind)
	}
	return ""
}

// proxyWith is the proxy named name with the capability kind ("backend"
// or "frontend"), or nil.
func (s *state) proxyWith(name, kind string) *Proxy {
	for _, p := range s.cfg.Proxies {
		if p.Name == name && hasCap(p, kind) {
			return p
		}
	}
	return nil
}

func hasCap(p *Proxy, kind string) bool { return p.Kind == kind || p.Kind == "listen" }
