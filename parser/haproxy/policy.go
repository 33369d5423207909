package haproxy

import (
	"fmt"
	"strings"
)

// AllowUnsupportedEnv is the environment variable that, set to "1", has the
// same effect as gohaproxy's --allow-unsupported (and gokeepalived's). It
// lives outside haproxy.cfg on purpose: the file stays HAProxy's.
const AllowUnsupportedEnv = "GOHA_ALLOW_UNSUPPORTED"

// ApplyPolicy gives goha's own notices (what the parser keeps raw and what
// the runtime adapter cannot map, Diagnostic.Subject set) their fail-closed
// verdict, per classTable:
//
//   - inert: a WARNING "... has no effect in goha", shown without -V;
//   - unsupported (everything not inert, unknown subjects included): an
//     ALERT "... is not supported by goha", and the result becomes exit 1
//     with HAProxy's "Fatal errors found in configuration." — unless allow
//     (--allow-unsupported), which turns those alerts into warnings.
//
// A result HAProxy itself rejects (Exit 1) is left as it is: its notices
// stay -V only, since nothing will run. ApplyPolicy reports whether it
// refused the configuration.
func ApplyPolicy(r *Result, allow bool) bool {
	if r.Exit == 1 || r.Config == nil {
		return false
	}
	tls := usesTLS(r.Config)
	refused := false
	seen := map[string]bool{}
	kept := r.Diags.List[:0]
	for _, d := range r.Diags.List {
		if !d.Goha || d.Subject == "" || d.Severity != Notice {
			kept = append(kept, d)
			continue
		}
		// The parser and the runtime adapter may both report one line.
		key := fmt.Sprintf("%s:%d:%s", d.File, d.Line, d.Subject)
		if seen[key] {
			continue
		}
		seen[key] = true
		d := &d
		row, _ := lookupSubject(d.Subject)
		where := "config : "
		if d.File != "" {
			where += at(d.File, d.Line)
		}
		switch {
		case row.Class == Inert:
			d.Severity = Warning
			d.Text = fmt.Sprintf("%s'%s' has no effect in goha%s.", where, d.Subject, because(row.Why))
		case row.Class == InertUnlessTLS && !tls:
			d.Severity = Warning
			d.Text = fmt.Sprintf("%s'%s' has no effect in goha (no bind or server uses TLS).", where, d.Subject)
		case allow:
			d.Severity = Warning
			d.Text = fmt.Sprintf("%s%s: running without it (--allow-unsupported).", where, notSupported(d.Subject))
		default:
			d.Severity = Alert
			d.Text = fmt.Sprintf("%s%s.", where, notSupported(d.Subject))
			refused = true
		}
		if r.Quiet {
			// global "quiet": HAProxy prints nothing after it (-V undoes
			// it before this runs: Unquiet); the verdict stays.
			r.Silenced = append(r.Silenced, *d)
			continue
		}
		kept = append(kept, *d)
	}
	r.Diags.List = kept
	if refused && !r.Quiet {
		r.Diags.List = append(r.Diags.List,
			Diagnostic{Severity: Alert, Goha: true, Text: "config : goha refuses to run a configuration it cannot honour in full; " +
				"remove the lines above, or pass --allow-unsupported (or " + AllowUnsupportedEnv + "=1) to run without them."},
			Diagnostic{Severity: Alert, Goha: true, Text: "config : Fatal errors found in configuration."})
	}
	if refused {
		r.Stdout = nil
		r.Exit = 1
	}
	return refused
}

// notSupported words the alert: a keyword is quoted ("'tune.bufsize' is
// not supported by goha"), a longer description follows a colon.
func notSupported(subject string) string {
	if strings.ContainsAny(subject, ":'") {
		return "not supported by goha: " + subject
	}
	return "'" + subject + "' is not supported by goha"
}

func because(why string) string {
	if why == "" {
		return ""
	}
	return " (" + why + ")"
}

// usesTLS says whether any bind or server of the configuration speaks TLS,
// which makes the InertUnlessTLS settings matter.
func usesTLS(c *Config) bool {
	for _, px := range c.Proxies {
		for _, b := range px.Binds {
			if b.SSL {
				return true
			}
		}
		if px.DefaultServer.SSL {
			return true
		}
		for _, s := range px.Servers {
			if _, checkSSL := s.Other["check-ssl"]; s.SSL || checkSSL {
				return true
			}
		}
	}
	return false
}

// subjectKinds maps the prefix of a notice subject to the policy table's
// kind; the first word after it is the name.
var subjectKinds = []struct{ prefix, kind string }{
	{"server option ", "server"},
	{"default-server option ", "server"},
	{"bind option ", "bind"},
	{"tcp-request connection ", "tcp-request connection"},
	{"tcp-request session ", "tcp-request session"},
	{"tcp-request content ", "tcp-request content"},
	{"tcp-response content ", "tcp-response content"},
	{"http-request ", "http-request"},
	{"http-response ", "http-response"},
	{"http-after-response ", "http-after-response"},
	{"tcp-check ", "tcp-check"},
	{"http-check ", "http-check"},
	{"fetch ", "fetch"},
	{"converter ", "converter"},
	{"userlist ", "userlist"},
	{"peers ", "peers"},
	{"resolvers ", "resolvers"},
	{"mailers ", "mailers"},
	{"http-errors ", "http-errors"},
	{"cache ", "cache"},
	{"program ", "program"},
	{"ring ", "ring"},
	{"log-forward ", "log-forward"},
	{"namespace_list ", "namespace_list"},
	{"fcgi-app ", "fcgi-app"},
}

// lookupSubject finds the policy row of a notice subject ("server option
// slowstart", "http-request set-var(txn.x)", "tune.bufsize", "timeout
// tarpit", "stats timeout"). The zero row (Unclassified, hence unsupported)
// when there is none: fail closed.
func lookupSubject(subject string) (ClassRow, bool) {
	for _, k := range subjectKinds {
		if rest, ok := strings.CutPrefix(subject, k.prefix); ok {
			// A row may name more than the first word ("fcgi-app option
			// get-values" beside "fcgi-app option").
			if r, ok := ClassOf(k.kind, rest); ok && rest != firstWord(rest) {
				return r, true
			}
			if r, ok := ClassOf(k.kind, RuleActionName(firstWord(rest))); ok {
				return r, true
			}
		}
	}
	words := strings.Fields(subject)
	for n := len(words); n >= 1; n-- {
		name := strings.Join(words[:n], " ")
		for _, kind := range []string{"global", "proxy"} {
			if r, ok := ClassOf(kind, name); ok {
				return r, true
			}
		}
	}
	return ClassRow{}, false
}

// firstWord is the action or option word of a rule ("track-sc0 src" gives
// "track-sc0"); RuleActionName then drops its "(...)" and numbering.
func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}
