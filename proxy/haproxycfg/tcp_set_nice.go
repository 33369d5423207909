package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// inertContentRule reports a `tcp-request content set-nice` rule, inert
// by the class table (a WARNING at -c): HAProxy 2.6's nice factor only
// orders its own tasks against each other (stream.c: the stream task's
// nice), which changes no byte served, no verdict and no log field. Its
// condition is still compiled, so one goha cannot evaluate is refused
// as for any other rule.
func (b *builder) inertContentRule(r haproxy.HTTPRule, acls *acl.Set, what string) {
	if r.Cond != nil {
		if _, err := acls.Compile(r.Cond); err != nil {
			// worded so that the inert row of set-nice does not apply
			b.unsupported(r.Pos, "the condition of "+what+": "+err.Error())
			return
		}
	}
	b.unsupported(r.Pos, what)
}
