package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// backendContentRules maps an HTTP backend's tcp-request content accept,
// reject and variable rules, which HAProxy 2.6 runs once the request is
// routed to it, before the backend's http-request rules (AN_REQ_INSPECT_BE,
// on the parsed request: the inspect delay has nothing to wait for). An
// accept skips the content rules after it. Tracking rules and the other
// actions are refused.
func (b *builder) backendContentRules(px *haproxy.Proxy, acls *acl.Set) []proxy.HeaderRule {
	for _, r := range px.TCPContentTracks {
		b.unsupported(r.Pos, "tcp-request content "+r.Action+" in a backend")
	}
	var out []proxy.HeaderRule
	for _, r := range px.TCPContentRules {
		what := "tcp-request content " + r.Action
		var hr proxy.HeaderRule
		switch {
		case r.Action == "accept" && len(r.Args) == 0:
			hr.Action = proxy.ContentAccept
		case r.Action == "reject" && len(r.Args) == 0:
			hr.Action = proxy.ContentReject
		case isVarAction(r.Action):
			var ok bool
			if hr, ok = b.varRule(r, "http-request", acl.ListenRequest); !ok {
				continue
			}
		default:
			b.unsupported(r.Pos, what+" in a backend")
			continue
		}
		if r.Cond != nil {
			c, err := acls.CompileAt(r.Cond, acl.ListenRequest)
			if err != nil {
				b.unsupported(r.Pos, what+" condition: "+err.Error())
				continue
			}
			hr.Cond = c
		}
		hr.Origin = ruleOrigin(r.Pos)
		out = append(out, hr)
	}
	for i := range out {
		if out[i].Action == proxy.ContentAccept {
			out[i].Skip = len(out) - i - 1 // the content rules after it
		}
	}
	return out
}
