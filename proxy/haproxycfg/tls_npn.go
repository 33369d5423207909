package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// npn checks a bind's or an ssl server's `npn` list. Go's crypto/tls has
// no NPN, so goha never offers it; HAProxy 2.6 on OpenSSL 3 does, and
// speaks HTTP/2 when the peer picks h2 by it (measured with a server that
// knows NPN only). A list without h2 can only lead HAProxy to HTTP/1,
// which goha speaks anyway: the class table makes `npn` inert with a
// warning. A list offering h2 is refused here.
func (b *builder) npn(pos haproxy.Pos, list, side string) {
	for _, p := range strings.Split(list, ",") {
		if strings.TrimSpace(p) == "h2" {
			b.unsupported(pos, side+" npn offering h2 (Go's TLS has no NPN, by which HAProxy would speak HTTP/2 to a peer choosing h2)")
			return
		}
	}
}
