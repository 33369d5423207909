package haproxycfg

import (
	"strconv"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// serviceResponseActions are the http-response actions goha applies to a
// service's reply (proxy/service_reply_rules.go: header edits,
// replace-header/-value, set-status, set-log-level, the variables,
// capture, deny, return, redirect, silent-drop, allow ending its list,
// set-mark and set-tos on the client socket); HAProxy runs the others too.
var serviceResponseActions = map[string]bool{"set-header": true, "add-header": true, "del-header": true, "deny": true, "allow": true,
	"set-status": true, "capture": true, "return": true, "redirect": true, "set-log-level": true,
	"replace-header": true, "replace-value": true, "set-mark": true, "set-tos": true, "silent-drop": true}

// serviceResponseAction says whether goha applies http-response rule r
// to a service's reply. A replace of its framing field is not applied:
// HAProxy's H1 layer then sends the replaced transfer-encoding and its
// own after the connection field (measured on 2.6.12).
func serviceResponseAction(r *haproxy.HTTPRule) bool {
	if (r.Action == "replace-header" || r.Action == "replace-value") && len(r.Args) > 0 &&
		(strings.EqualFold(r.Args[0], "transfer-encoding") || strings.EqualFold(r.Args[0], "content-length")) {
		return false
	}
	return serviceResponseActions[r.Action] || isVarAction(r.Action)
}

// isResBody: the fetches of a response's body. On a service's reply
// HAProxy's read its body (measured on 2.6.12: 90 for the exporter's 400
// page, 11893 for scope=global); goha's service replies give them none.
func isResBody(name string) bool {
	return name == "res.body" || name == "res.body_len" || name == "res.body_size"
}

// readsResBody says whether rule r of proxy owner reads a response body
// fetch, in its arguments (expressions, %[...] values) or its condition.
func readsResBody(owner *haproxy.Proxy, r *haproxy.HTTPRule) bool {
	for _, a := range r.Args {
		if strings.Contains(a, "res.body") {
			return true
		}
	}
	return acl.NewSet(owner.ACLs).ReadsFetch(r.Cond, isResBody) != ""
}

// serviceReplyRule says whether goha applies rule r of proxy owner to a
// service's reply as HAProxy does; sc is whether the track-sc*/sc-*
// rules count (a frontend's own list: isSCAction).
func serviceReplyRule(owner *haproxy.Proxy, r *haproxy.HTTPRule, sc bool) bool {
	return (serviceResponseAction(r) || sc && isSCAction(r)) && !readsResBody(owner, r)
}

// isSCAction says whether r is a track-sc* or sc-* rule: goha runs them
// on a service's reply a frontend's rule chose, on the frontend's own
// list; a backend's reply goes through two lists, each on its own
// proxy's table, which runServiceRules does not tell apart.
func isSCAction(r *haproxy.HTTPRule) bool {
	_, isSC, _ := haproxy.ParseSCAction(r.Action, r.Args)
	return isSC
}

// backendServiceRules is a backend's http-request rules with its
// use-service rules (prometheus-exporter: services.go) refused when a
// reply of theirs would go through an http-response action goha does not
// apply to it: HAProxy 2.6 runs the backend's http-response rules on the
// service's reply, then those of the frontend the request came through
// (any frontend may route to the backend).
func (b *builder) backendServiceRules(px *haproxy.Proxy, in []haproxy.HTTPRule) []haproxy.HTTPRule {
	var bad *haproxy.HTTPRule
	check := func(owner *haproxy.Proxy, rules []haproxy.HTTPRule) {
		for i := range rules {
			if bad == nil && !serviceReplyRule(owner, &rules[i], false) {
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
		check(d, d.HTTPResponseRules)
	}
	check(px, px.HTTPResponseRules)
	for _, fe := range b.cfg.Proxies {
		if fe.Cap&haproxy.CapFrontend != 0 && !fe.Disabled && fe.Mode == "http" {
			check(fe, fe.HTTPResponseRules)
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
		if !serviceReplyRule(px, &rr, true) {
			b.unsupported(r.Pos, "http-request use-service whose replies would go through http-response "+
				rr.Action+" ("+rr.Pos.File+":"+strconv.Itoa(rr.Pos.Line)+"), which goha does not apply to a service's reply")
			return false
		}
	}
	return true
}
