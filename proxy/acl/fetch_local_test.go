package acl

import (
	"net/netip"
	"testing"
)

// TestAddrIsLocal: loopback addresses are local, a TEST-NET address is
// not (no packet is sent: a bind only).
func TestAddrIsLocal(t *testing.T) {
	for a, want := range map[string]bool{"127.0.0.1": true, "127.0.0.2": true, "::1": true, "192.0.2.77": false, "::ffff:127.0.0.1": true} {
		got, ok := addrIsLocal(netip.MustParseAddr(a))
		if !ok || got != want {
			t.Errorf("%s: local %v (answer %v), want %v", a, got, ok, want)
		}
	}
}
