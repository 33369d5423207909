package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// doResolveExec compiles `do-resolve(<var>,<resolvers>[,ipv4|ipv6])
// <expr>` of an http-request rule or a tcp-mode proxy's tcp-request
// content rule (acl.CompileDoResolve; the waiting: proxy/do_resolve.go).
// Reported: a section that does not exist (neither in the file nor the
// implicit "default" one), one without a nameserver, and a variable name
// HAProxy would take and never set.
func (b *builder) doResolveExec(r haproxy.HTTPRule, kw string, layer4 bool, place acl.Place) (func(*proxy.RequestInfo), bool) {
	what := kw + " " + r.Action
	d, msg := haproxy.ParseDoResolve(r.Action, len(r.Args))
	if msg != "" {
		b.unsupported(r.Pos, what+": "+msg)
		return nil, false
	}
	var sec *haproxy.ResolversSection
	for _, s := range b.cfg.Resolvers {
		if s.Name == d.Resolvers {
			sec = s
		}
	}
	switch {
	case sec == nil:
		b.unsupported(r.Pos, what+": no resolvers section '"+d.Resolvers+"'")
		return nil, false
	case len(sec.Nameservers) == 0:
		b.unsupported(r.Pos, what+": resolvers '"+d.Resolvers+"' without a nameserver")
		return nil, false
	}
	return b.sampleActionExec(r, what, layer4, place, func(_ string, expr haproxy.Sample) (func(*proxy.RequestInfo), error) {
		return acl.CompileDoResolve(d, expr, b.plan.DNS)
	})
}

// doResolveRule maps an http-request do-resolve rule; the stream waits
// for the resolution where the rule runs.
func (b *builder) doResolveRule(r haproxy.HTTPRule, kw string, place acl.Place) (proxy.HeaderRule, bool) {
	if kw != "http-request" {
		b.unsupported(r.Pos, kw+" "+r.Action)
		return proxy.HeaderRule{}, false
	}
	exec, ok := b.doResolveExec(r, kw, false, place)
	return proxy.HeaderRule{Action: proxy.SetVar, Exec: exec}, ok
}
