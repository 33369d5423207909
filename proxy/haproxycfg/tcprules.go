package haproxycfg

import (
	"sort"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// tcpConnRules maps `tcp-request connection accept|reject [if|unless
// cond]`. The rules run when a connection is accepted, before a byte is
// read: only layer-4 fetches have a value then, and the only one the ACL
// engine has is src; a condition using anything else is reported.
func (b *builder) tcpConnRules(px *haproxy.Proxy, acls *acl.Set) []proxy.TCPConnRule {
	var out []proxy.TCPConnRule
	for _, r := range px.TCPConnRules {
		what := "tcp-request connection " + r.Action
		var track *proxy.StickRule
		var exec func(*proxy.RequestInfo)
		if e, matched, ok := b.tcpExec(r, what); matched {
			if !ok {
				continue
			}
			exec = e
		} else if a, isSC, msg := haproxy.ParseSCAction(r.Action, r.Args); isSC {
			var ok bool
			if track, ok = b.connTrack(px, a, msg, r.Pos, what); !ok {
				continue
			}
		} else if r.Action == "expect-proxy" || r.Action == "expect-netscaler-cip" {
			c, ok := b.layer4Cond(acls, r.Cond, r.Pos, what)
			if ok {
				out = append(out, proxy.TCPConnRule{ExpectProxy: r.Action == "expect-proxy", ExpectCIP: r.Action != "expect-proxy", Cond: c})
			}
			continue
		} else if len(r.Args) != 0 {
			b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
			continue
		}
		silent := r.Action == "silent-drop"
		tr := proxy.TCPConnRule{Reject: r.Action == "reject" || silent, Silent: silent, Track: track, Exec: exec}
		c, ok := b.layer4Cond(acls, r.Cond, r.Pos, what)
		if !ok {
			continue
		}
		tr.Cond = c
		out = append(out, tr)
	}
	return out
}

// tcpExec maps the actions the tcp-request connection, session and
// content rules run as a function on the request: the variable actions,
// the address actions (actions_addr.go), sc-inc-gpc*/sc-set-gpt*
// (stick.go) and set-mark/set-tos (actions_sockopt.go). matched says r is
// one of them; ok, that it mapped (or was reported).
func (b *builder) tcpExec(r haproxy.HTTPRule, what string) (exec func(*proxy.RequestInfo), matched, ok bool) {
	switch _, isVar, _ := haproxy.ParseVarAction(r.Action); {
	case isVar:
		exec, ok = b.tcpVarExec(r, what)
	case haproxy.IsAddrAction(r.Action):
		exec, ok = b.addrExec(r, what, true, 0)
	case haproxy.IsSCCounterAction(r.Action):
		exec, ok = b.scCounterExec(r, what, layer4Value)
	case haproxy.IsSockoptAction(r.Action):
		exec, ok = b.sockoptExec(r, what)
	default:
		return nil, false, false
	}
	return exec, true, ok
}

// tcpContentRules maps `tcp-request content accept|reject [if|unless
// cond]` of a tcp-mode frontend: they run on the client's first bytes
// (proxy/tcp_content.go). An http-mode proxy runs them before parsing
// the request, which goha does not: reported there.
func (b *builder) tcpContentRules(px *haproxy.Proxy, acls *acl.Set) []proxy.TCPConnRule {
	var out []proxy.TCPConnRule
	rules := px.TCPContentRules
	if px.Mode != "http" && len(px.TCPContentTracks) > 0 {
		// the track-sc rules run in their place among the others
		rules = append(append([]haproxy.HTTPRule(nil), rules...), px.TCPContentTracks...)
		sort.SliceStable(rules, func(i, j int) bool {
			a, b := rules[i].Pos, rules[j].Pos
			return a.File < b.File || (a.File == b.File && a.Line < b.Line)
		})
	}
	for _, r := range rules {
		what := "tcp-request content " + r.Action
		if r.Action == "set-nice" {
			b.inertContentRule(r, acls, what) // tcp_set_nice.go
			continue
		}
		if px.Mode == "http" {
			if _, isVar, _ := haproxy.ParseVarAction(r.Action); !isVar && !httpContentVerdict(r) && !haproxy.IsAddrAction(r.Action) && !haproxy.IsPriorityAction(r.Action) && !haproxy.IsSCCounterAction(r.Action) && !haproxy.IsSockoptAction(r.Action) && r.Action != "set-log-level" && r.Action != "capture" {
				b.unsupported(r.Pos, what+" in an http proxy")
			} // else httpContentRules maps it
			continue
		}
		switchMode := r.Action == "switch-mode"
		if switchMode && !b.perConn[px] {
			continue // upgradedFrontend built or refused it (switchmode.go)
		}
		if r.Action == "capture" {
			// tcp mode keeps no capture slots (%hr, capture.req.hdr)
			b.unsupported(r.Pos, what+" in a tcp-mode proxy")
			continue
		}
		var exec func(*proxy.RequestInfo)
		if e, matched, ok := b.tcpExec(r, what); matched {
			if !ok {
				continue
			}
			exec = e
		} else if haproxy.IsDoResolve(r.Action) {
			var ok bool
			if exec, ok = b.doResolveExec(r, "tcp-request content", true, 0); !ok { // actions_resolve.go
				continue
			}
		} else if haproxy.IsPriorityAction(r.Action) {
			var ok bool
			if exec, ok = b.priorityExec(r, what, true, 0); !ok { // actions_priority.go
				continue
			}
		} else if a, isSC, msg := haproxy.ParseSCAction(r.Action, r.Args); isSC {
			// a key on layer-4 samples, as a connection rule's
			st, ok := b.connTrack(px, a, msg, r.Pos, what) // stick.go
			if !ok {
				continue
			}
			exec = proxy.TrackContentExec(st)
		} else if r.Action == "set-log-level" {
			var ok bool
			if exec, ok = b.logLevelExec(r, "tcp-request content"); !ok { // actions_log.go
				continue
			}
		} else if len(r.Args) != 0 && !switchMode { // (its proto: perConnFrontend)
			b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
			continue
		}
		silent := r.Action == "silent-drop"
		tr := proxy.TCPConnRule{Reject: r.Action == "reject" || silent, Silent: silent, Exec: exec, Switch: switchMode}
		tr.SwitchH1 = switchMode && len(r.Args) > 2 && r.Args[1] == "proto" && r.Args[2] == "h1"
		if r.Cond != nil {
			c, err := acls.Compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			tr.Cond = c
		}
		tr.Origin = ruleOrigin(r.Pos)
		tr.FromDefaults = fromDefaults(px, r.Pos) // defaults_rules.go
		out = append(out, tr)
	}
	return out
}

// redirects maps the legacy `redirect` rules (run after the http-request
// rules, as in HAProxy).
func (b *builder) redirects(px *haproxy.Proxy, acls *acl.Set) []proxy.HeaderRule {
	var out []proxy.HeaderRule
	for _, r := range px.Redirects {
		rd, err := redirectRule(r.Args)
		if err != nil {
			b.unsupported(r.Pos, err.Error())
			continue
		}
		hr := proxy.HeaderRule{Action: proxy.Redirect, Redirect: rd}
		if r.Cond != nil {
			c, err := acls.Compile(r.Cond)
			if err != nil {
				b.unsupported(r.Pos, "redirect condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		hr.Origin = ruleOrigin(r.Pos)
		out = append(out, hr)
	}
	return out
}

// httpContentRules maps the tcp-request content rules of an HTTP
// frontend that goha runs there, track-sc<n> and the variable actions, in
// their order: HAProxy runs them on each request's stream before its
// http-request rules, on the parsed request.
func (b *builder) httpContentRules(px *haproxy.Proxy, acls *acl.Set, fe *proxy.Frontend, ruleSlots map[haproxy.Pos]int) []proxy.HeaderRule {
	type entry struct {
		pos  haproxy.Pos
		rule proxy.HeaderRule
	}
	var es []entry
	tracks, pos := b.contentTracks(px, acls)
	for i := range tracks {
		es = append(es, entry{pos[i], tracks[i]})
	}
	place := acl.FrontRequest
	if px.Kind == "listen" || px.Kind == "backend" {
		place = acl.ListenRequest
	}
	for _, r := range px.TCPContentRules {
		isAddr := haproxy.IsAddrAction(r.Action)
		isPrio := haproxy.IsPriorityAction(r.Action)
		isSC := haproxy.IsSCCounterAction(r.Action)
		isSockopt := haproxy.IsSockoptAction(r.Action)
		isLog := r.Action == "set-log-level"
		verdict := httpContentVerdict(r)
		isCapture := r.Action == "capture"
		if !httpContentRuns(r) {
			continue
		}
		what := "tcp-request content " + r.Action
		var hr proxy.HeaderRule
		if isCapture {
			// into its slot among the frontend's (captures.go), as an
			// http-request capture ... len
			var err error
			if hr, err = b.captureRule(r, "http-request", place, fe, ruleSlots); err != nil {
				b.unsupported(r.Pos, what+": "+err.Error())
				continue
			}
		} else if verdict {
			hr.Action = proxy.ContentAccept
			switch r.Action {
			case "reject":
				hr.Action = proxy.ContentReject
			case "silent-drop":
				hr.Action = proxy.ContentSilentDrop // on an HTTP/2 stream: proxy/actions_drop.go
			}
		} else if isPrio {
			var ok bool
			if hr, ok = b.priorityRule(r, what, place); !ok { // actions_priority.go
				continue
			}
		} else if isSockopt {
			var ok bool
			if hr, ok = b.sockoptRule(px, r, "tcp-request content"); !ok { // actions_sockopt.go
				continue
			}
		} else if isSC {
			// on the stream's counters, as the http-request actions
			exec, ok := b.scCounterExec(r, what, nil) // stick.go
			if !ok {
				continue
			}
			hr = proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}
		} else if isLog {
			var ok bool
			if hr, ok = b.logLevelRule(r, "tcp-request content"); !ok { // actions_log.go
				continue
			}
		} else if isAddr {
			var ok bool
			if hr, ok = b.addrRule(r, what, place); !ok { // actions_addr.go
				continue
			}
		} else {
			var ok bool
			if hr, ok = b.varRule(r, "http-request", place); !ok {
				continue
			}
		}
		if r.Cond != nil {
			c, err := acls.CompileAt(r.Cond, place)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		hr.Origin = ruleOrigin(r.Pos)
		es = append(es, entry{r.Pos, hr})
	}
	// The two lists interleave by line.
	sort.SliceStable(es, func(i, j int) bool {
		a, b := es[i].pos, es[j].pos
		return a.File < b.File || (a.File == b.File && a.Line < b.Line)
	})
	var out []proxy.HeaderRule
	for i, e := range es {
		if e.rule.Action == proxy.ContentAccept {
			e.rule.Skip = len(es) - i - 1 // the content rules after it
		}
		out = append(out, e.rule)
	}
	return out
}

// httpContentRuns says whether an HTTP proxy's content rules run r
// (httpContentRules): the verdicts, the variable, address, priority,
// stick counter, socket option, log level and capture actions.
func httpContentRuns(r haproxy.HTTPRule) bool {
	_, isVar, _ := haproxy.ParseVarAction(r.Action)
	return isVar || httpContentVerdict(r) || haproxy.IsAddrAction(r.Action) || haproxy.IsPriorityAction(r.Action) ||
		haproxy.IsSCCounterAction(r.Action) || haproxy.IsSockoptAction(r.Action) || r.Action == "set-log-level" ||
		r.Action == "capture"
}

// httpContentVerdict: r is a `tcp-request content accept|reject` an HTTP
// frontend runs (proxy/actions_content.go).
func httpContentVerdict(r haproxy.HTTPRule) bool {
	// switch-mode http stops the rules as accept does; an HTTP stream
	// has nothing to switch (tcp_action_switch_stream_mode)
	return (r.Action == "accept" || r.Action == "reject" || r.Action == "silent-drop") && len(r.Args) == 0 || r.Action == "switch-mode"
}

// layer4Cond compiles the condition of a rule that runs before any byte
// is read (tcp-request connection and session rules, tcp-response
// content rules): a condition on more than layer-4 samples and
// variables is reported, as is one that does not compile. nil: always.
func (b *builder) layer4Cond(acls *acl.Set, cond *haproxy.Condition, pos haproxy.Pos, what string) (proxy.Condition, bool) {
	return b.limitedCond(acls, cond, pos, what, acls.NonLayer4)
}

// limitedCond compiles the condition of a rule that runs before some
// samples exist: beyond names the first fetch of cond the rule cannot
// evaluate (or ""). Such a condition, or one that does not compile, is
// reported. nil: always.
func (b *builder) limitedCond(acls *acl.Set, cond *haproxy.Condition, pos haproxy.Pos, what string, beyond func(*haproxy.Condition) string) (proxy.Condition, bool) {
	if cond == nil {
		return nil, true
	}
	if bad := beyond(cond); bad != "" {
		b.unsupported(pos, what+" condition on "+bad)
		return nil, false
	}
	c, err := acls.Compile(cond)
	if err != nil {
		b.unsupported(pos, what+" condition: "+err.Error())
		return nil, false
	}
	return c, true
}

// ruleOrigin is where a rule is written, for last_rule_file and
// last_rule_line (proxy/last_rule.go).
func ruleOrigin(p haproxy.Pos) proxy.RuleOrigin {
	return proxy.RuleOrigin{File: p.File, Line: p.Line}
}
