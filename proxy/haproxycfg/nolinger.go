package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// noLingerFront is a frontend's (or listen's) `option nolinger`: its
// client sockets close with a reset, as HAProxy 2.6's (proxy/nolinger.go).
// In tcp mode it is refused: there HAProxy resets the client after its
// half-close once the server closed, dropping the server's last bytes,
// a rule not pinned down.
func (b *builder) noLingerFront(px *haproxy.Proxy) bool {
	if !px.Options["nolinger"] {
		return false
	}
	if mode(px) != proxy.ModeHTTP {
		b.unsupported(px.Pos, "option nolinger on a tcp frontend")
	}
	return true
}
