package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// tcpResponseRules maps a backend's `tcp-response content accept|reject|
// close|set-var|set-var-fmt|unset-var [if|unless cond]` (proxy/
// tcp_response.go). goha runs them once the server connection is up,
// which is when HAProxy 2.6 first runs them; a rule reading the response's
// bytes (res.payload, res.payload_lv, res.len) makes them wait for those
// bytes up to `tcp-response inspect-delay` (proxy/tcp_response_inspect.go).
// A condition on anything but layer-4 fetches, variables, the response's
// bytes and the backend's, server's and server connection's fetches is
// reported (responseCond).
//
// A close towards a server spoken to over HTTP/2 would end every stream
// of the shared connection: reported.
func (b *builder) tcpResponseRules(px *haproxy.Proxy, be *proxy.Backend) []proxy.TCPConnRule {
	if len(px.TCPResponseRules) == 0 {
		return nil
	}
	// An expression on a request fetch is false there, also inside a
	// named ACL whose other expressions still match.
	acls := acl.NewSet(haproxy.TCPResponseACLs(px.ACLs)).WithUserlists(b.userlists).WithResPayload()
	be.ResInspect.Delay = px.ResInspectDelay
	var out []proxy.TCPConnRule
	for _, r := range px.TCPResponseRules {
		what := "tcp-response content " + r.Action
		var tr proxy.TCPConnRule
		if _, isVar, _ := haproxy.ParseVarAction(r.Action); isVar {
			exec, ok := b.tcpVarExec(r, what)
			if !ok {
				continue
			}
			tr.Exec = exec
		} else if haproxy.IsSockoptAction(r.Action) {
			exec, ok := b.sockoptExec(r, what) // actions_sockopt.go
			if !ok {
				continue
			}
			tr.Exec = exec
		} else if r.Action == "silent-drop" && len(r.Args) == 0 {
			if be.Mode == proxy.ModeHTTP {
				b.unsupported(r.Pos, what+" in HTTP mode")
				continue
			}
			tr.Reject, tr.Silent = true, true
		} else if r.Action == "set-log-level" {
			exec, ok := b.logLevelExec(r, "tcp-response content") // actions_log.go
			if !ok {
				continue
			}
			tr.Exec = exec
		} else if haproxy.IsSCCounterAction(r.Action) {
			exec, ok := b.scCounterExec(r, what, layer4Value) // stick.go
			if !ok {
				continue
			}
			tr.Exec = exec
		} else if len(r.Args) != 0 {
			b.unsupported(r.Pos, what+" "+strings.Join(r.Args, " "))
			continue
		} else {
			tr.Reject, tr.Close = r.Action == "reject", r.Action == "close"
		}
		if bad := httpUnmodelled(acls, r); bad != "" && be.Mode == proxy.ModeHTTP {
			b.unsupported(r.Pos, what+" on "+bad+" in HTTP mode (HAProxy reads its HTX size)")
			continue
		}
		if tr.Close && serversMaySpeakH2(be) {
			b.unsupported(r.Pos, what+" with a server that may speak HTTP/2")
			continue
		}
		c, ok := b.responseCond(acls, neverTerms(r.Cond), r.Pos, what)
		if !ok {
			continue
		}
		tr.Cond = c
		if acls.ReadsResPayload(r.Cond) || varReadsResPayload(r) {
			// (in HTTP mode they have no value: the parser warns)
			be.ResInspect.Payload = true
		}
		tr.Origin = ruleOrigin(r.Pos)
		out = append(out, tr)
	}
	return out
}

// responseCond compiles the condition of a tcp-response content rule,
// which goha decides once the server connection is up: on layer-4
// fetches, variables, and the backend's, the server's and its
// connection's fetches (srv_id, be_name, bc_dst_port), which have their
// value there as in HAProxy. A condition on more is reported. nil:
// always.
func (b *builder) responseCond(acls *acl.Set, cond *haproxy.Condition, pos haproxy.Pos, what string) (proxy.Condition, bool) {
	return b.limitedCond(acls, cond, pos, what, acls.NotAtServerConnect)
}

// neverTerms is cond with each anonymous ACL that never matches in
// tcp-response content rules (request fetches: haproxy.TCPResponseNever,
// which the parser warned about as HAProxy does) replaced by
// always_false, which is what HAProxy evaluates them to there. Named
// ACLs need nothing here: their set (haproxy.TCPResponseACLs) already
// reads such expressions as always_false.
func neverTerms(cond *haproxy.Condition) *haproxy.Condition {
	if cond == nil {
		return nil
	}
	out := &haproxy.Condition{Unless: cond.Unless}
	for _, and := range cond.Or {
		terms := make([]haproxy.CondTerm, 0, len(and))
		for _, t := range and {
			if t.Anon != nil && haproxy.TCPResponseNever(*t.Anon) {
				t = haproxy.CondTerm{Negate: t.Negate, Anon: &haproxy.ACL{Keyword: "always_false",
					Sample: haproxy.ParseSample("always_false")}}
			}
			terms = append(terms, t)
		}
		out.Or = append(out.Or, terms)
	}
	return out
}

// serversMaySpeakH2 says whether a server of be may speak HTTP/2.
func serversMaySpeakH2(be *proxy.Backend) bool {
	for _, s := range be.Servers {
		if s.H2 || s.H2ALPN {
			return true
		}
	}
	return false
}

// varReadsResPayload says whether a set-var or set-var-fmt rule's value
// reads the response's bytes.
func varReadsResPayload(r haproxy.HTTPRule) bool {
	va, isVar, _ := haproxy.ParseVarAction(r.Action)
	if !isVar || len(r.Args) != 1 {
		return false
	}
	switch va.Verb {
	case "set-var":
		return acl.SampleReadsResPayload(haproxy.ParseSample(r.Args[0]))
	case "set-var-fmt":
		return acl.FormatReadsResPayload(r.Args[0])
	}
	return false
}

// httpUnmodelled names what a rule reads that goha does not model on an
// HTTP stream (res.len), or "".
func httpUnmodelled(acls *acl.Set, r haproxy.HTTPRule) string {
	if bad := acls.TCPOnly(r.Cond); bad != "" {
		return bad
	}
	if va, isVar, _ := haproxy.ParseVarAction(r.Action); isVar && va.Verb == "set-var" && len(r.Args) == 1 {
		if s := haproxy.ParseSample(r.Args[0]); acl.SampleTCPOnly(s) {
			return r.Args[0]
		}
	}
	return ""
}
