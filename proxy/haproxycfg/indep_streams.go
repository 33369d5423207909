package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// independentStreams maps `option independent-streams` of a tcp proxy:
// bytes written to that side (the client for a frontend, the server for a
// backend) no longer restart its read timeout (proxy/relay.go). In HTTP
// mode HAProxy also applies it while a request body is sent and a response
// awaited, which goha's HTTP exchange does not follow: refused there.
func (b *builder) independentStreams(px *haproxy.Proxy) bool {
	if !px.Options["independent-streams"] {
		return false
	}
	if mode(px) == proxy.ModeHTTP {
		b.unsupported(px.Pos, "option independent-streams in an HTTP proxy")
		return false
	}
	return true
}
