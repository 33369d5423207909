package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the ACL and backend-switching keywords (acl, use_backend,
// default_backend); rows in proxyKeywordTable.

func (s *state) parseACL(px *Proxy, l *kwLine) bool {
	p, w := l.p, l.w
	if l.arg(1) == "" || l.arg(2) == "" {
		s.alert(p, "'acl' expects an ACL name and a fetch method.")
		return false
	}
	a := newACL(p, l.arg(1), w[2:])
	if msg := s.checkACL(a); msg != "" {
		s.alert(p, "error detected while parsing ACL '%s' : %s.", a.Name, msg)
		return false
	}
	if noPatternWarning(a) {
		x := s.d.Raw(Warning, p.File, p.Line, fmt.Sprintf("config : parsing acl keyword '%s' :", a.Sample.Text))
		x.Extra = noPatternExtra
	}
	px.ACLs = append(px.ACLs, a)
	return false
}

// noPatternExtra are the lines of HAProxy's warning on an ACL without
// pattern.
var noPatternExtra = []string{
	"  no pattern to match against were provided, so this ACL will never match.",
	"  If this is what you intended, please add '--' to get rid of this warning.",
	"  If you intended to match only for existence, please use '-m found'.",
	"  If you wanted to force an int to match as a bool, please use '-m bool'.",
	"",
}

func (s *state) parseUseBackend(px *Proxy, l *kwLine) bool {
	p := l.p
	if l.arg(1) == "" {
		s.alert(p, "'%s' expects a backend name.", l.kw)
		return false
	}
	cond, err := parseCondition(tail(l.w, 2))
	if err != nil {
		s.alert(p, "error detected while parsing switching rule : %s.", err)
		return false
	}
	if bad := undefinedACL(px, cond); bad != "" {
		s.alert(p, "error detected while parsing switching rule : no such ACL : '%s'.", bad)
		return false
	}
	if msg := s.anonACLError(cond); msg != "" {
		s.alert(p, "error detected while parsing switching rule : %s.", msg)
		return false
	}
	px.UseBackends = append(px.UseBackends, UseBackend{Pos: p, Backend: l.arg(1), Cond: cond})
	px.sawUseBackend = true
	return false
}

func (s *state) parseDefaultBackend(px *Proxy, l *kwLine) bool {
	if l.arg(1) == "" {
		s.alert(l.p, "'%s' expects a backend name.", l.kw)
		return false
	}
	px.DefaultBack, px.DefaultBackAt = l.arg(1), l.p
	return false
}

// splitACLArgs separates an ACL's leading flags (with their values) from its
// patterns; "--" ends the flags.
func splitACLArgs(rest []string) (flags, values []string) {
	for len(rest) > 0 && strings.HasPrefix(rest[0], "-") && rest[0] != "-" {
		flags = append(flags, rest[0])
		if (rest[0] == "-m" || rest[0] == "-f") && len(rest) > 1 {
			flags = append(flags, rest[1])
			rest = rest[1:]
		}
		rest = rest[1:]
		if flags[len(flags)-1] == "--" {
			break
		}
	}
	return flags, rest
}

// anonACLError validates the anonymous ACLs of a condition.
func (s *state) anonACLError(c *Condition) string {
	if c == nil {
		return ""
	}
	for _, and := range c.Or {
		for _, t := range and {
			if t.Anon != nil {
				if msg := s.checkACL(*t.Anon); msg != "" {
					return msg
				}
			}
		}
	}
	return ""
}
