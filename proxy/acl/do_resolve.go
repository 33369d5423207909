package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	dnsname "github.com/goha-lb/goha/proxy/resolve"
)

// CompileDoResolve compiles `do-resolve(<var>,<resolvers>[,ipv4|ipv6])
// <expr>` (HAProxy 2.6's resolv_action_do_resolve): the expression's
// first sample, as a string, is the name; the address the resolution
// gives is stored in the variable as an ipv4 or ipv6 sample. No sample,
// no valid name or no address leaves the variable as it was.
func CompileDoResolve(d haproxy.DoResolve, expr haproxy.Sample, dns *proxy.DNSHook) (func(*proxy.RequestInfo), error) {
	ref, err := compileVar(d.Var)
	if err != nil {
		return nil, err
	}
	e, err := CompileExpr(expr)
	if err != nil {
		return nil, err
	}
	run := func(r *proxy.RequestInfo, v *value) {
		if !v.cast(haproxy.SampleStr) {
			return
		}
		name, ok := dnsname.HostName(v.s)
		if !ok {
			return
		}
		addr, ok := dns.Resolve(r, d.Resolvers, name, d.PreferIPv4)
		if !ok {
			return
		}
		out := value{t: haproxy.SampleIPv6, a: addr}
		if addr.Is4() {
			out.t = haproxy.SampleIPv4
		}
		var tmp proxy.Var
		toVar(&out, &tmp)
		r.StoreVar(ref.scope, ref.slot, &tmp)
	}
	return func(r *proxy.RequestInfo) { e.first(r, run) }, nil
}
