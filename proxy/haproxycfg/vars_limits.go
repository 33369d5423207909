package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// varLimits maps tune.vars.txn-max-size, reqres-max-size and
// sess-max-size (proxy/vars_limits.go; the streams of an HTTP/2
// connection share its session variables and their size,
// proxy/vars_shared.go).
func (b *builder) varLimits(g *haproxy.Global) proxy.VarLimits {
	l := g.VarLimits
	return proxy.VarLimits{Txn: int64(l.Txn), ReqRes: int64(l.ReqRes), Sess: int64(l.Sess)}
}
