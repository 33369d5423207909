package haproxycfg

import (
	"net"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// serverTarget maps a server's address (binds.go serverAddr): a server at
// 0.0.0.0, ::, * or no address connects to the address the client
// connected to (after set-dst), one without a fixed port to the client's
// port plus the offset (after set-dst-port), as HAProxy's servers in
// "transparent" style do. Its health check goes to the address as written
// (HAProxy: 0.0.0.0:port, the local host on Linux).
func (b *builder) serverTarget(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server) (string, error) {
	addr, anyHost, mapPorts, err := serverAddr(s.Addr)
	if err != nil {
		return "", err
	}
	sv.AnyHost, sv.MapPorts = anyHost, mapPorts
	if (anyHost || mapPorts) && (sv.H2 || sv.H2ALPN) {
		// goha's HTTP/2 server pool is not keyed by destination
		b.unsupported(s.Pos, "server proto h2 or alpn h2 at an address following the client's ("+s.Addr.Raw+")")
	}
	return addr, nil
}

// checkTarget is where a server's checks go: its address as written, a
// -N port offset read as HAProxy's 16-bit port (-1 is 65535).
func checkTarget(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if n, perr := strconv.Atoi(port); err == nil && perr == nil && n < 0 {
		return net.JoinHostPort(host, strconv.Itoa(n&0xffff))
	}
	return addr
}
