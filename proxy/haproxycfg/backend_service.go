package haproxycfg

import (
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
)

// serviceResponseActions are the http-response actions goha applies to a
// service's reply (proxy/service_reply_rules.go: header edits,
// set-status, the variables, capture, deny, return, redirect, allow
// ending its list); HAProxy runs the others too.
var serviceResponseActions = map[string]bool{"set-header": true, "add-header": true, "del-header": true, "deny": true, "allow": true,
	"set-status": true, "capture": true, "return": true, "redirect": true}

// serviceResponseAction says whether goha applies http-response action a
// to a service's reply.
func serviceResponseAction(a string) bool { return serviceResponseActions[a] || isVarAction(a) }

// backendServiceRules is a backend's http-request rules with its
// use-service rules (prometheus-exporter: services.go) refused when a
// reply of theirs would go through an http-response action goha does not
// apply to it: HAProxy 2.6 runs the backend's http-response rules on the
// service's reply, then those of the frontend the request came through
// (any frontend may route to the backend).
func (b *builder) backendServiceRules(px *haproxy.Proxy, in []haproxy.HTTPRule) []haproxy.HTTPRule {
	var bad *haproxy.HTTPRule
	check := func(rules []haproxy.HTTPRule) {
		for i := range rules {
			if bad == nil && !serviceResponseAction(rules[i].Action) {
				bad = &rules[i]
			}
		}
	}
	has := false
	for _, r := range in {
		has = has || r.Action == "use-service"
	}
	if !has {
		return in
	}
	if d := px.Def; d != nil && d.Name != "" {
		check(d.HTTPResponseRules)
	}
	check(px.HTTPResponseRules)
	for _, fe := range b.cfg.Proxies {
		if fe.Cap&haproxy.CapFrontend != 0 && !fe.Disabled && fe.Mode == "http" {
			check(fe.HTTPResponseRules)
		}
	}
	if bad == nil {
		return in
	}
	out := make([]haproxy.HTTPRule, 0, len(in))
	for _, r := range in {
		if r.Action == "use-service" {
			b.unsupported(r.Pos, "http-request use-service in a backend whose replies would go through http-response "+
				bad.Action+" ("+bad.Pos.File+":"+strconv.Itoa(bad.Pos.Line)+"), which goha does not apply to a service's reply")
			continue
		}
		out = append(out, r)
	}
	return out
}

// frontendServiceOK says whether a frontend's (or listen section's)
// use-service rule r may run: its replies go through the section's
// http-response rules, which must all be ones goha applies to them;
// otherwise r is reported.
func (b *builder) frontendServiceOK(px *haproxy.Proxy, r haproxy.HTTPRule) bool {
	for _, rr := range px.HTTPResponseRules {
		if !serviceResponseAction(rr.Action) {
			b.unsupported(r.Pos, "http-request use-service whose replies would go through http-response "+
				rr.Action+" ("+rr.Pos.File+":"+strconv.Itoa(rr.Pos.Line)+"), which goha does not apply to a service's reply")
			return false
		}
	}
	return true
}
