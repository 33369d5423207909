package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/statspage"
)

// statsRule is one compiled `stats http-request` rule.
type statsRule struct {
	action string // "allow", "deny", "auth"
	realm  string
	cond   proxy.Condition // nil: always
}

func (r *statsRule) matches(req *proxy.RequestInfo) bool {
	return r.cond == nil || r.cond.Match(req)
}

// statsRules are a page's `stats http-request` rules, run in order on
// the requests for the page: the first whose condition holds decides.
type statsRules []statsRule

// decide returns the deciding rule, nil when none holds (the page).
func (rs statsRules) decide(req *proxy.RequestInfo) *statsRule {
	for i := range rs {
		if rs[i].matches(req) {
			return &rs[i]
		}
	}
	return nil
}

// decided is a condition: the request is for the page and the rules'
// decision is want (nil want: the page is served, no rule or an allow).
type decided struct {
	uri   proxy.Condition
	rules statsRules
	want  *statsRule
}

func (c decided) Match(r *proxy.RequestInfo) bool {
	if !c.uri.Match(r) {
		return false
	}
	got := c.rules.decide(r)
	if c.want == nil {
		return got == nil || got.action == "allow"
	}
	return got == c.want
}

// compileStatsRules compiles the `stats http-request` lines of a page. ok
// is false when a rule cannot run (reported).
func (b *builder) compileStatsRules(raw []haproxy.Statement, opt *statspage.Options, acls *acl.Set) (rules statsRules, ok bool) {
	ok = true
	for _, st := range raw {
		if len(st.Args) < 2 || st.Args[1] != "http-request" {
			continue
		}
		r, err := haproxy.ParseStatsRule(st)
		if err != nil {
			b.unsupported(st.Pos, "stats http-request: "+err.Error())
			ok = false
			continue
		}
		sr := statsRule{action: r.Action, realm: r.Realm}
		if r.Cond != nil {
			if sr.cond, err = acls.Compile(r.Cond); err != nil {
				b.unsupported(st.Pos, "stats http-request condition: "+err.Error())
				ok = false
				continue
			}
		}
		rules = append(rules, sr)
	}
	if len(rules) > 0 && (len(opt.Auth) > 0 || opt.Realm != "") {
		// HAProxy 2.6 refuses the mix ("stats 'auth'/'realm' and
		// 'http-request' can't be used at the same time"): so does goha.
		b.unsupported(raw[0].Pos, "stats auth/realm with stats http-request")
		return nil, false
	}
	return rules, ok
}
