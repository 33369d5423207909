package acl

import (
	"net/netip"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// CompileSetAddr compiles set-src, set-dst, set-src-port or set-dst-port
// <expr> (HAProxy 2.6 tcp_action_req_set_*): the address actions take
// the sample cast to an address and keep the port; the port actions take
// it cast to an integer, cut to 16 bits. No sample, or one that does not
// cast, leaves the address as it was.
func CompileSetAddr(verb string, expr haproxy.Sample) (func(*proxy.RequestInfo), error) {
	e, err := CompileExpr(expr)
	if err != nil {
		return nil, err
	}
	dst := verb == "set-dst" || verb == "set-dst-port"
	port := verb == "set-src-port" || verb == "set-dst-port"
	set := func(r *proxy.RequestInfo, v *value) {
		at := &r.Src
		if dst {
			at = &r.Dst
		}
		if port {
			if v.cast(haproxy.SampleSInt) {
				*at = setPort(*at, uint16(v.i))
			}
			return
		}
		if v.cast(haproxy.SampleAddr) && (v.t == haproxy.SampleIPv4 || v.t == haproxy.SampleIPv6) {
			*at = netip.AddrPortFrom(v.a, at.Port())
		}
	}
	return func(r *proxy.RequestInfo) { e.first(r, set) }, nil
}

// setPort gives ap the port; an address of neither family becomes
// 0.0.0.0, as HAProxy forces AF_INET there.
func setPort(ap netip.AddrPort, port uint16) netip.AddrPort {
	a := ap.Addr()
	if !a.IsValid() {
		a = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(a, port)
}
