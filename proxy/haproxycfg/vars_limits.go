package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// varLimits maps tune.vars.txn-max-size, reqres-max-size and
// sess-max-size (proxy/vars_limits.go). sess-max-size is refused where a
// frontend may speak HTTP/2: goha keeps an HTTP/2 stream's session
// variables apart from its connection's, so their sum would not be
// bounded as HAProxy bounds it.
func (b *builder) varLimits(g *haproxy.Global) proxy.VarLimits {
	l := g.VarLimits
	out := proxy.VarLimits{Txn: int64(l.Txn), ReqRes: int64(l.ReqRes), Sess: int64(l.Sess)}
	if l.Sess == 0 {
		return out
	}
	for _, px := range b.cfg.Proxies {
		if px.Cap&haproxy.CapFrontend == 0 || px.Disabled {
			continue
		}
		if mayServeH2(px) || px.Mode == "http" && !px.Options["disable-h2-upgrade"] {
			for _, st := range g.Raw {
				if len(st.Args) > 0 && st.Args[0] == "tune.vars.sess-max-size" {
					b.unsupported(st.Pos, "tune.vars.sess-max-size with a frontend that may speak HTTP/2 ('"+px.Name+"')")
				}
			}
			return out
		}
	}
	return out
}
