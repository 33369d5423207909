package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// isVarAction says whether action is set-var(...), set-var-fmt(...) or
// unset-var(...).
func isVarAction(action string) bool {
	return strings.HasPrefix(action, "set-var(") || strings.HasPrefix(action, "set-var-fmt(") ||
		strings.HasPrefix(action, "unset-var(")
}

// backendRules maps a backend's http-request rules and redirect lines,
// which HAProxy 2.6 runs once a frontend routed the request to it (after
// the frontend's rules and switching, before its stats page for the rules
// and after it for the redirects), and its http-response rules, which run
// before the frontend's; its tcp-request content rules run first
// (backend_content.go), and a named defaults section's rules before its
// own. A listen section's are mapped by frontend(). Any action not in the
// lists above is refused, as are a tcp backend's rules but its
// tcp-request content ones (backend_content_tcp.go).
func (b *builder) backendRules(px *haproxy.Proxy, be *proxy.Backend, pages *pageSet) {
	if px.Kind != "backend" {
		return
	}
	if be.Mode != proxy.ModeHTTP {
		be.TCPContentRules, be.InspectDelay = b.tcpBackendContent(px), px.InspectDelay // backend_content_tcp.go
		cp := *px
		cp.TCPContentRules, cp.TCPContentTracks = nil, nil
		b.rulesNotRun(&cp, "backend")
		if d := px.Def; d != nil && d.Name != "" {
			b.rulesNotRun(&haproxy.Proxy{HTTPRequestRules: d.HTTPRequestRules, HTTPResponseRules: d.HTTPResponseRules},
				"defaults section a tcp backend starts from")
		}
		return
	}
	b.rulesNotRun(&haproxy.Proxy{TCPConnRules: px.TCPConnRules, TCPSessTracks: px.TCPSessTracks}, "backend")
	acls := acl.NewSet(px.ACLs).WithUserlists(b.userlists)
	var req, res []haproxy.HTTPRule
	if d := px.Def; d != nil && d.Name != "" {
		// A named defaults section's rules run first, as one list with
		// the backend's own (an allow there ends both; HAProxy's
		// http_req_get_intercept_rule), where no frontend starts from
		// it (defaultsRulesNotRun).
		req = b.defaultsRuleList(d, d.HTTPRequestRules, "http-request", backendReqActions)
		res = b.defaultsRuleList(d, d.HTTPResponseRules, "http-response", backendResActions)
	}
	req = append(req, backendRuleList(b, b.backendServiceRules(px, px.HTTPRequestRules), "http-request", backendReqActions)...) // backend_service.go
	be.RequestRules = append(b.backendContentRules(px, acls), b.rules(px, "http-request", req, acls, pages, nil, nil)...)       // backend_content.go
	// With a stats page too: its replies pass the response rules by,
	// the backend's and the frontend's (HAProxy's http_process_res_common
	// skips the stats applet; proxy/service.go), the server's do not.
	res = append(res, backendRuleList(b, px.HTTPResponseRules, "http-response", backendResActions)...)
	be.ResponseRules = b.rules(px, "http-response", res, acls, pages, nil, nil)
	be.Redirects = b.redirects(px, acls)
}

// backendRuleList is in less the rules whose action a backend does not
// run, each refused.
func backendRuleList(b *builder, in []haproxy.HTTPRule, kw string, ok map[string]bool) []haproxy.HTTPRule {
	var out []haproxy.HTTPRule
	for _, r := range in {
		if !backendRuns(r.Action, ok) {
			b.unsupported(r.Pos, kw+" "+r.Action+" in a backend")
			continue
		}
		out = append(out, r)
	}
	return out
}

// listenTargets refuses a switch from one section to a listen section
// holding request or response rules: HAProxy runs them there as the
// backend's, goha runs a listen's rules for its own frontend half only.
// A dynamic use_backend that might name such a listen is refused too.
func (b *builder) listenTargets(cfg *haproxy.Config) {
	ruled := map[string]bool{}
	for _, px := range cfg.Proxies {
		if px.Kind == "listen" && !px.Disabled && (len(px.HTTPRequestRules) > 0 || len(px.HTTPResponseRules) > 0 ||
			len(px.Redirects) > 0 || len(px.TCPContentRules) > 0 || len(px.TCPContentTracks) > 0) {
			ruled[px.Name] = true
		}
	}
	if len(ruled) == 0 {
		return
	}
	for _, px := range cfg.Proxies {
		if px.Disabled || px.Cap&haproxy.CapFrontend == 0 {
			continue
		}
		for _, u := range px.UseBackends {
			if (ruled[u.Backend] && u.Backend != px.Name) || strings.Contains(u.Backend, "%") {
				b.unsupported(u.Pos, "use_backend to a listen section with http-request, http-response, redirect or tcp-request content rules (goha runs them for its own frontend only)")
			}
		}
		if ruled[px.DefaultBack] && px.DefaultBack != px.Name {
			b.unsupported(px.DefaultBackAt, "default_backend to a listen section with http-request, http-response, redirect or tcp-request content rules (goha runs them for its own frontend only)")
		}
	}
}

// defaultsRuleList is backendRuleList for the rules of the defaults
// section d a backend starts from; auth (whose realm would be the
// defaults' name), use-service and the cache rules are refused there too. Each rule is reported where it
// is written.
func (b *builder) defaultsRuleList(d *haproxy.Proxy, in []haproxy.HTTPRule, kw string, ok map[string]bool) []haproxy.HTTPRule {
	var out []haproxy.HTTPRule
	for _, r := range in {
		if r.Action == "auth" || r.Action == "use-service" || r.Action == "cache-use" || r.Action == "cache-store" || !backendRuns(r.Action, ok) {
			b.unsupported(r.Pos, kw+" "+r.Action+" in defaults '"+d.Name+"' a backend starts from")
			continue
		}
		if a, isSC, msg := haproxy.ParseSCAction(r.Action, r.Args); isSC && a.Verb == "track-sc" && msg == "" && a.Table == "" {
			// HAProxy reads a missing table as the section's own:
			// the defaults' name, not the backend's.
			r.Args = append(r.Args[:len(r.Args):len(r.Args)], "table", d.Name)
		}
		out = append(out, r)
	}
	return out
}

// frontDefaults are the defaults sections a frontend or listen starts
// from.
func frontDefaults(cfg *haproxy.Config) map[*haproxy.Proxy]bool {
	out := map[*haproxy.Proxy]bool{}
	for _, px := range cfg.Proxies {
		if px.Def != nil && px.Cap&haproxy.CapFrontend != 0 {
			out[px.Def] = true
		}
	}
	return out
}
