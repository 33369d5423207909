package haproxycfg

import (
	"errors"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
	"github.com/goha-lb/goha/proxy/http1"
)

// The http-request and http-response rules of a frontend, mapped onto
// proxy.HeaderRule, and the rules a section holds but never runs.

// rules maps http-request/http-response header rules. Values with
// log-format expressions and the actions the data path lacks are reported
// and left out.
func (b *builder) rules(px *haproxy.Proxy, kw string, in []haproxy.HTTPRule, acls *acl.Set, pages *pageSet, fe *proxy.Frontend, ruleSlots map[haproxy.Pos]int) []proxy.HeaderRule {
	var out []proxy.HeaderRule
	place := acl.FrontRequest // where HAProxy checks the rules' fetches
	switch {
	case kw == "http-response", kw == "http-after-response":
		place = acl.Response
	case px.Kind == "listen", px.Kind == "backend":
		place = acl.ListenRequest
	}
	for _, r := range in {
		var hr proxy.HeaderRule
		switch r.Action {
		case "set-header", "add-header":
			if len(r.Args) != 2 {
				b.unsupported(r.Pos, kw+" "+r.Action+" arguments")
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.SetHeader, Name: r.Args[0], Value: r.Args[1]}
			if strings.Contains(r.Args[1], "%") {
				// %[...] samples (acl.CompileFormat); other log-format
				// variables are not evaluated yet.
				f, app, err := acl.CompileFormatBoth(r.Args[1])
				if msg := acl.FormatUnavailable(r.Args[1], place); err == nil && msg != "" {
					err = errors.New(msg)
				}
				if err != nil {
					what := kw + " " + r.Action + " with a log-format value"
					if err != nil { // say why (a PCRE-only regex in a map file, ...)
						what += ": " + err.Error()
					}
					b.unsupported(r.Pos, what)
					continue
				}
				hr.Format, hr.AppendFormat = f, app
			}
			if r.Action == "add-header" {
				hr.Action = proxy.AddHeader
			}
		case "set-path":
			if kw != "http-request" || len(r.Args) != 1 {
				b.unsupported(r.Pos, kw+" set-path "+strings.Join(r.Args, " "))
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.SetPath, Value: r.Args[0]}
			if strings.Contains(r.Args[0], "%") {
				f, err := acl.CompileFormat(r.Args[0])
				if msg := acl.FormatUnavailable(r.Args[0], place); err == nil && msg != "" {
					err = errors.New(msg)
				}
				if err != nil {
					b.unsupported(r.Pos, kw+" set-path with a log-format value: "+err.Error())
					continue
				}
				hr.Format = f
			}
		case "set-method":
			if kw != "http-request" || len(r.Args) != 1 || strings.Contains(r.Args[0], "%") || !http1.IsToken(r.Args[0]) {
				b.unsupported(r.Pos, kw+" set-method "+strings.Join(r.Args, " "))
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.SetMethod, Value: r.Args[0]}
		case "capture":
			var err error
			if hr, err = b.captureRule(r, kw, place, fe, ruleSlots); err != nil {
				b.unsupported(r.Pos, kw+" capture: "+err.Error())
				continue
			}
		case "cache-use", "cache-store":
			var ok bool
			if hr, ok = b.cacheRule(px, r, kw); !ok { // cache.go
				continue
			}
		case "use-service":
			svc, ok := b.service(r, kw)
			if !ok || px.Kind != "backend" && !b.frontendServiceOK(px, r) { // backend_service.go
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.UseService, Service: svc}
		case "del-header":
			if len(r.Args) != 1 {
				b.unsupported(r.Pos, kw+" del-header "+strings.Join(r.Args[1:], " "))
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.DelHeader, Name: r.Args[0]}
		case "auth":
			if kw != "http-request" {
				b.unsupported(r.Pos, kw+" auth")
				continue
			}
			var err error
			if hr, err = authRule(r.Args, px, pages); err != nil {
				b.unsupported(r.Pos, err.Error())
				continue
			}
		case "wait-for-body":
			wait, atLeast, msg := haproxy.ParseWaitForBody(r.Args)
			if msg != "" {
				b.unsupported(r.Pos, kw+" wait-for-body "+strings.Join(r.Args, " "))
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.WaitForBody, Wait: wait, AtLeast: atLeast}
		case "deny", "allow", "return", "redirect", "tarpit":
			after := kw == "http-after-response" && r.Action == "allow"
			if kw != "http-request" && (kw != "http-response" || r.Action == "tarpit") && !after {
				b.unsupported(r.Pos, kw+" "+r.Action+" "+strings.Join(r.Args, " "))
				continue
			}
			var err error
			if hr, err = b.terminalRule(r, kw, pages); err != nil {
				b.unsupported(r.Pos, err.Error())
				continue
			}
			if hr.Action == proxy.Tarpit && px.Timeouts.Tarpit <= 0 && px.Timeouts.Connect <= 0 {
				b.unsupported(r.Pos, "http-request tarpit without timeout tarpit or timeout connect")
				continue
			}
		case "set-pathq", "set-query", "set-uri", "replace-path", "replace-pathq", "replace-uri",
			"replace-header", "replace-value":
			var ok bool
			if hr, ok = b.rewriteRule(r, kw, place); !ok {
				continue
			}
		case "reject", "silent-drop", "set-status":
			var ok bool
			if hr, ok = b.dropRule(px, r, kw); !ok { // actions_drop.go
				continue
			}
		case "set-mark", "set-tos":
			var ok bool
			if hr, ok = b.sockoptRule(px, r, kw); !ok { // actions_sockopt.go
				continue
			}
		case "set-timeout":
			var ok bool
			if hr, ok = b.timeoutRule(r, kw, place); !ok { // actions_timeout.go
				continue
			}
		case "early-hint":
			var ok bool
			if hr, ok = b.earlyHintRule(px, r, kw); !ok { // actions_hint.go
				continue
			}
		case "wait-for-handshake", "disable-l7-retry":
			var ok bool
			if hr, ok = b.noOpRule(r, kw); !ok { // actions_noop.go
				continue
			}
		case "normalize-uri":
			var ok bool
			if hr, ok = b.normalizeRule(r, kw); !ok { // actions_normalize.go
				continue
			}
		case "set-src", "set-dst", "set-src-port", "set-dst-port":
			var ok bool
			if hr, ok = b.addrRule(r, kw+" "+r.Action, place); !ok { // actions_addr.go
				continue
			}
		case "strict-mode":
			hr = strictRule(r) // actions_priority.go
		case "set-priority-class", "set-priority-offset":
			var ok bool
			if hr, ok = b.priorityRule(r, kw+" "+r.Action, place); !ok { // actions_priority.go
				continue
			}
		case "set-log-level":
			var ok bool
			if hr, ok = b.logLevelRule(r, kw); !ok { // actions_log.go
				continue
			}
		default:
			var ok, isSC bool
			if haproxy.IsDoResolve(r.Action) {
				if hr, ok = b.doResolveRule(r, kw, place); !ok { // actions_resolve.go
					continue
				}
			} else if _, _, isMap := haproxy.ParseMapAction(r.Action); isMap {
				if hr, ok = b.mapActionRule(r, kw, place); !ok { // actions_map.go
					continue
				}
			} else if hr, isSC, ok = b.scRule(px, r, kw); isSC {
				if !ok {
					continue
				}
			} else if hr, ok = b.varRule(r, kw, place); !ok {
				continue
			}
		}
		if r.Cond != nil {
			c, err := acls.CompileAt(r.Cond, place)
			if err != nil {
				b.unsupported(r.Pos, kw+" condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		hr.Origin = ruleOrigin(r.Pos)
		out = append(out, hr)
	}
	return out
}

// rulesNotRun reports every rule of a section whose rules the data path
// does not run: a defaults section's (but those its proxies run:
// defaultsRulesNotRun), a tcp backend's, a backend's tcp-request rules
// (backend_rules.go). where names the section kind in the notice.
func (b *builder) rulesNotRun(px *haproxy.Proxy, where string) {
	for _, r := range px.HTTPRequestRules {
		b.unsupported(r.Pos, "http-request "+r.Action+" in a "+where)
	}
	for _, r := range px.HTTPResponseRules {
		b.unsupported(r.Pos, "http-response "+r.Action+" in a "+where)
	}
	for _, r := range px.TCPConnRules {
		b.unsupported(r.Pos, "tcp-request connection "+r.Action+" in a "+where)
	}
	for _, r := range px.TCPContentTracks {
		b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a "+where)
	}
	for _, r := range px.TCPSessTracks {
		b.unsupported(r.Pos, "tcp-request session "+r.Action+" in a "+where)
	}
	for _, r := range px.TCPContentRules {
		b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a "+where)
	}
	for _, r := range px.Redirects {
		b.unsupported(r.Pos, "redirect in a "+where)
	}
}
