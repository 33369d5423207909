package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// noLingerFront is a frontend's (or listen's) `option nolinger`: its
// client sockets close with a reset, as HAProxy 2.6's (proxy/nolinger.go):
// in http mode, and in tcp mode on clear binds (a tcp session ending on
// the client's FIN resets the client, one the proxy ends gets a FIN then
// a reset). A tcp frontend's TLS binds are refused with it: their
// close_notify and reset pattern was not measured.
func (b *builder) noLingerFront(px *haproxy.Proxy) bool {
	if !px.Options["nolinger"] {
		return false
	}
	if mode(px) != proxy.ModeHTTP {
		for _, bd := range px.Binds {
			if bd.SSL {
				b.unsupported(px.Pos, "option nolinger on a tcp frontend with ssl binds")
				break
			}
		}
	}
	return true
}
