package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
)

// varLimits maps tune.vars.txn-max-size, reqres-max-size and
// sess-max-size (proxy/vars_limits.go; the streams of an HTTP/2
// connection share its session variables and their size,
// proxy/vars_shared.go).
func (b *builder) varLimits(g *haproxy.Global) proxy.VarLimits {
	l := g.VarLimits
	return proxy.VarLimits{Txn: int64(l.Txn), ReqRes: int64(l.ReqRes), Sess: int64(l.Sess)}
}

// checkVarLimit is the byte limit of a health check's variables:
// tune.vars.check-max-size and, over the check's own session,
// sess-max-size (proxy/check varlimit.go).
func (b *builder) checkVarLimit() int64 {
	l := b.global.VarLimits
	return check.VarLimit(int64(l.Check), int64(l.Sess))
}
