package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// varLimits maps tune.vars.txn-max-size, reqres-max-size and
// sess-max-size (proxy/vars_limits.go). sess-max-size is refused where a
// frontend may speak HTTP/2: the streams of a connection share its
// session variables and their size (proxy/vars_shared.go), but a
// stream's txn and req variables are given back to that size once its
// response's end went to the client, where HAProxy gives them back
// before it reads the next stream: a stream right behind another could
// be refused a variable HAProxy lets it set.
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
