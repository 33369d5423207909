package keepalived

import (
	"errors"
	"fmt"
	"strings"
)

// Notice is the line gokeepalived logs for a route or rule it leaves out:
// owner is the vrrp_instance ("" for static_routes/static_rules), keyword
// the block, what "route" or "rule".
func (l RejectedLine) Notice(owner, keyword, what string) string {
	where := ""
	if l.Pos.Line > 0 {
		where = fmt.Sprintf("(Line %d) ", l.Pos.Line)
	}
	if owner != "" {
		where += "(" + owner + ") "
	}
	reason := l.Err.Error()
	var u UnsupportedOptionError
	if errors.As(l.Err, &u) {
		reason = fmt.Sprintf("'%s' is parsed but not supported by gokeepalived yet", u.Option)
	}
	return fmt.Sprintf("goha: %s%s: %s %q is not installed: %s", where, keyword, what, strings.Join(l.Words, " "), reason)
}

// RouteDiagnostics reports every route and rule line gokeepalived leaves
// out, as goha notices. A line keepalived itself rejects is a notice only;
// a line with an option gokeepalived cannot install is an unsupported
// feature (Diagnostic.Unsupported): `-t` fails and the daemon refuses the
// file unless allow (the operator's --allow-unsupported), which makes it a
// warning. Lint leaves them out of Result.Diagnostics because keepalived's
// own -t output (the goldens) has no such lines; `gokeepalived -t` adds them.
func RouteDiagnostics(c *Config, allow bool) []Diagnostic {
	var out []Diagnostic
	add := func(owner, kw, what string, rejected []RejectedLine) {
		for _, l := range rejected {
			// The position is the diagnostic's, not the message's.
			msg := RejectedLine{Words: l.Words, Err: l.Err}.Notice(owner, kw, what)
			d := Diagnostic{File: l.Pos.File, Line: l.Pos.Line, Severity: SevWarning, GohaOnly: true,
				Message: strings.TrimPrefix(msg, "goha: ")}
			var u UnsupportedOptionError
			if errors.As(l.Err, &u) {
				d.Unsupported = true
				if allow {
					d.Message += AllowedSuffix
				} else {
					d.Severity = SevError
				}
			}
			out = append(out, d)
		}
	}
	add("", "static_routes", "route", c.StaticRoutes.Rejected)
	add("", "static_rules", "rule", c.StaticRules.Rejected)
	for _, in := range c.Instances {
		add(in.Name, "virtual_routes", "route", in.VirtualRoutes.Rejected)
		add(in.Name, "virtual_rules", "rule", in.VirtualRules.Rejected)
	}
	return out
}
