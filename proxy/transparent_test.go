package proxy

import (
	"net/netip"
	"testing"
)

func TestServerTarget(t *testing.T) {
	dst := netip.MustParseAddrPort("127.0.0.2:8080")
	for _, tc := range []struct {
		addr              string
		anyHost, mapPorts bool
		dst               netip.AddrPort
		want, key         string
	}{
		{"10.0.0.1:80", false, false, dst, "10.0.0.1:80", ""},
		{"0.0.0.0:80", true, false, dst, "127.0.0.2:80", "127.0.0.2:80"},
		{"0.0.0.0:0", true, true, dst, "127.0.0.2:8080", "127.0.0.2:8080"},
		{"0.0.0.0:1", true, true, dst, "127.0.0.2:8081", "127.0.0.2:8081"},
		{"0.0.0.0:-80", true, true, dst, "127.0.0.2:8000", "127.0.0.2:8000"},
		{"10.0.0.1:0", false, true, dst, "10.0.0.1:8080", "10.0.0.1:8080"},
		{"0.0.0.0:65535", true, true, dst, "127.0.0.2:8079", "127.0.0.2:8079"}, // 16 bits, as HAProxy
		{"[::]:80", true, false, netip.MustParseAddrPort("[::1]:443"), "[::1]:80", "[::1]:80"},
		{"[::]:80", true, false, netip.MustParseAddrPort("[::ffff:127.0.0.3]:443"), "127.0.0.3:80", "127.0.0.3:80"},
		{"0.0.0.0:80", true, false, netip.AddrPort{}, "0.0.0.0:80", "0.0.0.0:80"}, // no destination known
	} {
		s := &server{cfg: &Server{Addr: tc.addr, AnyHost: tc.anyHost, MapPorts: tc.mapPorts}}
		s.addr.Store(&s.cfg.Addr)
		if got := s.target(tc.dst); got != tc.want {
			t.Errorf("%s to %s: target %s, want %s", tc.addr, tc.dst, got, tc.want)
		}
		if got := s.transparentKey(tc.dst); got != tc.key {
			t.Errorf("%s to %s: key %q, want %q", tc.addr, tc.dst, got, tc.key)
		}
	}
}
