package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/statspage"
)

// statsPage adapts a section's `stats` lines to the stats page service:
// for a frontend or listen section, rules checked after the section's
// http-request rules (proxy.Frontend.Services), as HAProxy checks the
// stats URI once those rules have accepted the request; for a backend,
// the rules it checks once a request is routed to it. With `stats admin if|unless
// <cond>` a first rule serves the page with the admin form to requests
// the condition grants. It returns the rules to append (none when the
// section serves no page).
func (b *builder) statsPage(px *haproxy.Proxy, mode proxy.Mode, acls *acl.Set) []proxy.HeaderRule {
	st := &px.Stats
	if !st.Enabled {
		return nil
	}
	if mode != proxy.ModeHTTP {
		// HAProxy keeps going without the page (the parser warns:
		// httpOnlyWarnings).
		return nil
	}
	svc := &statspage.Service{Options: statspage.Options{URI: st.URI, Refresh: st.Refresh, Realm: st.Realm, Self: px.Name}}
	for _, a := range st.Auth {
		if !strings.Contains(a, ":") {
			b.unsupported(st.Pos, "stats auth without ':'")
		}
		svc.Options.Auth = append(svc.Options.Auth, a)
	}
	for _, raw := range st.Raw {
		w := raw.Args
		arg := strings.Join(w[min(2, len(w)):], " ")
		switch w[1] {
		case "hide-version":
			svc.Options.HideVersion = true
		case "show-legends":
			svc.Options.ShowLegends = true
		case "show-node":
			svc.Options.ShowNode, svc.Options.Node = true, arg
		case "show-desc":
			svc.Options.ShowDesc, svc.Options.Desc = true, arg
			if arg == "" {
				svc.Options.Desc = b.globalDesc
			}
		case "scope":
			if arg != "" {
				svc.Options.Scope = append(svc.Options.Scope, arg)
			}
		case "http-request":
			// compiled below, once the options are known
		default:
			b.unsupported(raw.Pos, "stats "+w[1])
		}
	}
	checks, _ := b.compileStatsRules(st.Raw, &svc.Options, acls)
	b.plan.StatsPages = append(b.plan.StatsPages, svc)
	var page proxy.Condition = svc
	var rules []proxy.HeaderRule
	if len(checks) > 0 {
		// One rule per refusal, then the page when the rules let it.
		for i := range checks {
			if r := &checks[i]; r.action != "allow" {
				ref := &statspage.Refusal{Deny: r.action == "deny", Realm: r.realm}
				rules = append(rules, proxy.HeaderRule{Action: proxy.UseService, Cond: decided{svc, checks, r}, Service: ref})
			}
		}
		page = decided{uri: svc, rules: checks}
	}
	rules = append(rules, proxy.HeaderRule{Action: proxy.UseService, Cond: page, Service: svc})
	if st.Admin != nil {
		cond, err := acls.Compile(st.Admin)
		if err != nil {
			b.unsupported(st.Pos, "stats admin condition: "+err.Error())
			return rules
		}
		admin := &statspage.Service{Options: svc.Options, Admin: true}
		b.plan.StatsPages = append(b.plan.StatsPages, admin)
		// Before the page's rule, after the refusals.
		n := len(rules) - 1
		rules = append(rules[:n:n], proxy.HeaderRule{Action: proxy.UseService, Cond: both{page, cond}, Service: admin}, rules[n])
	}
	return rules
}

// both holds when the two conditions hold: the stats URI and `stats
// admin`'s condition.
type both [2]proxy.Condition

func (c both) Match(r *proxy.RequestInfo) bool { return c[0].Match(r) && c[1].Match(r) }

// globalDescription is the global `description`, the page's default text
// for `stats show-desc`.
func globalDescription(raw []haproxy.Statement) string {
	for _, st := range raw {
		if len(st.Args) > 1 && st.Args[0] == "description" {
			return strings.Join(st.Args[1:], " ")
		}
	}
	return ""
}
