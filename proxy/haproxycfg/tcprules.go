package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// tcpConnRules maps `tcp-request connection accept|reject [if|unless
// cond]`. The rules run when a connection is accepted, before a byte is
// read: only layer-4 fetches have a value then, and the only one the ACL
// engine has is src; a condition using anything else is reported.
func (b *builder) tcpConnRules(px *haproxy.Proxy, acls *aclSet) []proxy.TCPConnRule {
	var out []proxy.TCPConnRule
	for _, r := range px.TCPConnRules {
		what := "tcp-request connection " + r.Action
		if len(r.Args) != 0 {
			b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
			continue
		}
		tr := proxy.TCPConnRule{Reject: r.Action == "reject"}
		if r.Cond != nil {
			if bad := nonL4Fetch(px, r.Cond); bad != "" {
				b.unsupported(r.Pos, what+" condition on "+bad)
				continue
			}
			c, err := acls.compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			tr.Cond = c
		}
		out = append(out, tr)
	}
	return out
}

// nonL4Fetch names the first ACL criterion of cond that is not a layer-4
// fetch the engine has (src and its derivatives, always_true/false), or
// "" when there is none.
func nonL4Fetch(px *haproxy.Proxy, cond *haproxy.Condition) string {
	check := func(a haproxy.ACL) string {
		name := a.Criterion
		if i := strings.IndexAny(name, "(,"); i >= 0 {
			name = name[:i]
		}
		for _, suf := range []string{"_beg", "_end", "_sub", "_reg", "_dir", "_dom", "_str", "_len", "_ip"} {
			if base, ok := strings.CutSuffix(name, suf); ok && base != "" {
				name = base
				break
			}
		}
		switch name {
		case "src", "always_true", "always_false":
			return ""
		}
		return a.Criterion
	}
	for _, and := range cond.Or {
		for _, t := range and {
			if t.Anon != nil {
				if bad := check(*t.Anon); bad != "" {
					return bad
				}
				continue
			}
			found := false
			for _, a := range px.ACLs {
				if a.Name == t.Name {
					found = true
					if bad := check(a); bad != "" {
						return bad
					}
				}
			}
			if p, ok := predefined[t.Name]; ok && !found {
				if bad := check(p); bad != "" {
					return bad
				}
			}
		}
	}
	return ""
}

// redirects maps the legacy `redirect` rules (run after the http-request
// rules, as in HAProxy).
func (b *builder) redirects(px *haproxy.Proxy, acls *aclSet) []proxy.HeaderRule {
	var out []proxy.HeaderRule
	for _, r := range px.Redirects {
		rd, err := redirectRule(r.Args)
		if err != nil {
			b.unsupported(r.Pos, err.Error())
			continue
		}
		hr := proxy.HeaderRule{Action: proxy.Redirect, Redirect: rd}
		if r.Cond != nil {
			c, err := acls.compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, "redirect condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		out = append(out, hr)
	}
	return out
}
