package haproxy

import (
	"fmt"
	"strings"
)

// Handlers of the HTTP rule keywords (http-request, http-response, the
// legacy redirect, http-error); rows in proxyKeywordTable. The actions'
// argument checks are in httpactions.go.

// parseHTTPRule is `http-request`, `http-response` and `http-after-response`.
func (s *state) parseHTTPRule(px *Proxy, l *kwLine) bool {
	p, w, kw := l.p, l.w, l.kw
	if px.lfPos.Line > 0 && movesLogFormatPos(l.arg(1)) {
		px.lfPos = p
	}
	rule := HTTPRule{Pos: p, Action: l.arg(1)}
	actions := httpRequestActions
	switch kw {
	case "http-response":
		actions = httpResponseActions
	case "http-after-response":
		actions = httpAfterResponseActions
	}
	if !knownHTTPAction(actions, rule.Action) {
		msg := fmt.Sprintf("'%s' expects %s, but got '%s'.", kw, httpActionList(actions), rule.Action)
		msg += actionDidYouMean(rule.Action, actions, nil)
		s.alertRaw(p.File, p.Line, msg)
		s.fileFatal, s.abort = true, true
		return true
	}
	if kw == "http-request" {
		switch {
		case px.sawRedirect:
			s.warn(p, "a 'http-request' rule placed after a 'redirect' rule will still be processed before.")
		case px.sawUseBackend:
			s.warn(p, "a 'http-request' rule placed after a 'use_backend' rule will still be processed before.")
		}
		px.sawHTTPRequest = true
	}
	// HAProxy parses the action (up to if/unless) before the condition.
	args, condWords := tail(w, 2), []string(nil)
	for i, a := range args {
		if a == "if" || a == "unless" {
			args, condWords = args[:i], args[i:]
			break
		}
	}
	rule.Args = args
	if want, ok := httpActionArity[rule.Action]; ok && len(args) != want {
		kind := px.Kind
		if kind == "listen" {
			kind = "proxy"
		}
		s.alert(p, "error detected in %s '%s' while parsing '%s %s' rule : expects exactly %d arguments.", kind, px.Name, kw, rule.Action, want)
		s.abort = true
		return true // HAProxy stops reading at a rule it cannot build
	}
	msg, raw := checkVarRule(kw, rule)
	if !raw && msg == "" {
		msg, raw = checkRuleTail(kw, rule)
	}
	if raw {
		s.alertRaw(p.File, p.Line, msg)
		s.fileFatal, s.abort = true, true
		return true
	}
	if msg == "" {
		msg = checkHTTPRuleArgs(rule)
	}
	if msg == "" && (rule.Action == "cache-use" || rule.Action == "cache-store") && len(rule.Args) == 0 {
		msg = "expects a cache name." // cache.go
	}
	if msg == "" && kw == "http-response" && rule.Action == "redirect" && rule.Args[0] != "location" {
		msg = "response only supports redirect type 'location'."
	}
	if msg == "" && (rule.Action == "deny" || rule.Action == "return" || rule.Action == "tarpit") {
		if m := s.replyFile(args); m != "" {
			msg = m + "."
		} else {
			msg = s.replyPayloadCheck(p, args)
		}
	}
	if rule.Action == "normalize-uri" && !s.experimentalExposed() {
		s.alert(p, "'normalize-uri' action is experimental, must be allowed via a global 'expose-experimental-directives'")
		s.abort = true
		return true
	}
	if msg == "" && rule.Action == "set-timeout" && px.Kind == "frontend" {
		msg = "proxy '" + px.Name + "' has no backend capability."
	}
	if rule.Action == "set-timeout" && len(rule.Args) >= 2 && (rule.Args[0] == "server" || rule.Args[0] == "tunnel") {
		s.timerWarn(p, rule.Args[1]) // "15min": HAProxy reads 15m and warns
	}
	if msg == "" {
		msg = s.ruleSampleMaps(rule)
	}
	if msg != "" {
		kind := px.Kind
		if kind == "listen" {
			kind = "proxy"
		}
		s.alert(p, "error detected in %s '%s' while parsing '%s %s' rule : %s", kind, px.Name, kw, rule.Action, msg)
		s.abort = true
		return true
	}
	if condWords != nil {
		cond, err := parseCondition(condWords)
		if err != nil {
			// A rule HAProxy cannot build stops the whole configuration.
			s.alert(p, "error detected while parsing an '%s %s' condition : %s.", kw, rule.Action, err)
			s.abort = true
			return true
		}
		if bad := undefinedACL(px, cond); bad != "" {
			s.alert(p, "error detected while parsing an '%s %s' condition : no such ACL : '%s'.", kw, rule.Action, bad)
			s.abort = true
			return true
		}
		if msg := s.anonACLError(cond); msg != "" {
			s.alert(p, "error detected while parsing an '%s %s' condition : %s.", kw, rule.Action, msg)
			s.abort = true
			return true
		}
		rule.Cond = cond
	}
	switch rule.Action {
	case "set-header", "add-header", "del-header", "deny", "allow", "redirect", "return", "set-path", "tarpit", "set-method",
		"use-service", "auth", "capture", "replace-header", "replace-value", "cache-use", "cache-store":
	case "set-pathq", "set-query", "set-uri", "replace-path", "replace-pathq", "replace-uri":
		// http-request only: http-response does not know them.
	case "wait-for-body":
	case "strict-mode": // proxy/actions_strict.go, on both sides
	case "reject", "silent-drop", "set-status", "set-log-level", "set-mark", "set-tos", "set-timeout",
		"early-hint", "wait-for-handshake", "disable-l7-retry", "normalize-uri",
		"set-src", "set-dst", "set-src-port", "set-dst-port", "set-priority-class", "set-priority-offset": // proxy/haproxycfg/actions_*.go map or report them
	default:
		if _, isSC, _ := ParseSCAction(rule.Action, rule.Args); isSC && (kw == "http-request" || kw == "http-response") {
			break // proxy/haproxycfg maps it (stick.go)
		}
		if _, _, isMap := ParseMapAction(rule.Action); isMap {
			break // proxy/haproxycfg actions_map.go maps it
		}
		if IsDoResolve(rule.Action) && kw == "http-request" {
			break // proxy/haproxycfg actions_resolve.go maps it
		}
		if _, isVar, _ := ParseVarAction(rule.Action); !isVar {
			s.d.Unsupported(p.File, p.Line, kw+" "+rule.Action)
		}
	}
	if (rule.Action == "cache-use" || rule.Action == "cache-store") && len(rule.Args) > 0 && kw != "http-after-response" {
		s.implicitCacheFilter(px, rule.Args[0], p) // cache.go
	}
	switch kw {
	case "http-request":
		px.HTTPRequestRules = append(px.HTTPRequestRules, rule)
	case "http-after-response":
		px.HTTPAfterResponseRules = append(px.HTTPAfterResponseRules, rule)
	default:
		px.HTTPResponseRules = append(px.HTTPResponseRules, rule)
	}
	return false
}

func (s *state) parseRedirect(px *Proxy, l *kwLine) bool {
	p, w := l.p, l.w
	px.sawRedirect = true
	px.Raw = append(px.Raw, Statement{Pos: p, Args: w})
	if r, ok := simpleRule(w, 1); ok {
		r.Pos, r.Action = p, "redirect"
		px.Redirects = append(px.Redirects, r) // the wire maps it or reports it
		return false
	}
	s.cfg.Unsupported = append(s.cfg.Unsupported, Statement{Pos: p, Args: w})
	s.d.Unsupported(p.File, p.Line, "redirect")
	return false
}

func (s *state) parseHTTPError(px *Proxy, l *kwLine) bool {
	if !s.rawCheck(l) {
		return false
	}
	if msg := s.replyFile(l.w[1:]); msg != "" {
		s.alert(l.p, "http-error : %s", msg)
		return false
	}
	s.httpErrorArgs(px, l)
	return false
}

// simpleRule splits w[from:] into arguments and an if/unless condition
// for the rules the wire maps itself (legacy redirect, tcp-request
// connection accept/reject); ok is false when the condition does not
// parse, and the line stays reported as unsupported.
func simpleRule(w []string, from int) (HTTPRule, bool) {
	args, condWords := tail(w, from), []string(nil)
	for i, a := range args {
		if a == "if" || a == "unless" {
			args, condWords = args[:i], args[i:]
			break
		}
	}
	r := HTTPRule{Args: args}
	if condWords != nil {
		cond, err := parseCondition(condWords)
		if err != nil {
			return r, false
		}
		r.Cond = cond
	}
	return r, true
}

// movesLogFormatPos says whether HAProxy 2.6 records an http-request or
// http-response action's line as the proxy's log-format position when it
// parses it (so the httplog fallback warning names that line). Measured
// with haproxy -c: set-header, add-header, replace-header, replace-value,
// early-hint, redirect, set-var-fmt and set-status do; deny, return,
// del-header, set-path, set-uri, set-query, set-method, set-log-level and
// capture do not.
func movesLogFormatPos(action string) bool {
	switch action {
	case "set-header", "add-header", "replace-header", "replace-value", "early-hint", "redirect", "set-status":
		return true
	}
	return strings.HasPrefix(action, "set-var-fmt(")
}

// experimentalExposed says whether the global section so far holds
// expose-experimental-directives (HAProxy 2.6 refuses experimental
// actions such as normalize-uri without it).
func (s *state) experimentalExposed() bool {
	for _, st := range s.cfg.Global.Raw {
		if len(st.Args) > 0 && st.Args[0] == "expose-experimental-directives" {
			return true
		}
	}
	return false
}
