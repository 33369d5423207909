package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
)

// noLingerFront is a frontend's (or listen's) `option nolinger`: its
// client sockets close with a reset, as HAProxy 2.6's (proxy/nolinger.go):
// in http mode, and in tcp mode on clear and TLS binds (a tcp session
// ending on the client's FIN resets the client, after a close_notify over
// TLS; one the proxy ends gets a FIN then a reset:
// TestNoLingerTCPFrontendDifferential, TestNoLingerTLSFrontendDifferential).
func (b *builder) noLingerFront(px *haproxy.Proxy) bool {
	return px.Options["nolinger"]
}
