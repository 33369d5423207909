package proxy

import (
	"net/netip"

	"github.com/goha-lb/goha/proxy/rdpcookie"
)

// rdpPersist is `persist rdp-cookie[(name)]` in a tcp backend, run where
// HAProxy runs it: after the tcp-request content rules, before the stick
// rules and the balancer. The cookie ("msts" by default) names a server by
// its IPv4 address and port (rdpcookie.Server); the first server of the
// backend at that address and port takes the connection when it is up, or
// with `option persist`. Only what the content rules waited for is read: a
// cookie not yet received is no cookie, as in HAProxy.
func (s *session) rdpPersist(be *backend) {
	name := be.cfg.RDPCookie
	if name == "" || s.ck.pin.srv != nil {
		return
	}
	v, st := rdpcookie.Value(s.info.Payload, name)
	if st != rdpcookie.OK || len(v) == 0 {
		return
	}
	ip, port, ok := rdpcookie.Server(v)
	if !ok {
		return
	}
	want := netip.AddrPortFrom(netip.AddrFrom4(ip), port)
	for _, srv := range be.list() {
		ap, err := netip.ParseAddrPort(srv.address())
		if err != nil || ap.Addr().Unmap() != want.Addr() || ap.Port() != port {
			continue
		}
		be.mu.Lock()
		up := srv.bal.Up
		be.mu.Unlock()
		if up || be.cfg.Persist {
			s.ck.pin.srv = srv
			return
		}
	}
}
