package proxy

import (
	"net/netip"
	"testing"
)

// TestPortRangeOrder: ports are handed out in order and come back behind
// the other free ones (HAProxy's port_range ring); none left is 0.
func TestPortRangeOrder(t *testing.T) {
	r := NewPortRange(100, 102)
	var got []uint16
	for range 4 {
		got = append(got, r.alloc())
	}
	r.release(101)
	r.release(100)
	got = append(got, r.alloc(), r.alloc(), r.alloc())
	want := []uint16{100, 101, 102, 0, 101, 100, 0}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("ports %v, want %v", got, want)
		}
	}
}

// TestSourceForeign: the address a connection presents, per usesrc mode,
// as HAProxy's alloc_bind_address and tcp_bind_socket flags decide.
func TestSourceForeign(t *testing.T) {
	client := netip.MustParseAddrPort("[::ffff:10.0.0.9]:4321")
	for _, tc := range []struct {
		cs   ConnSource
		want string // "" = the source address itself
	}{
		{ConnSource{}, ""},
		{ConnSource{Use: SourceAddr, UseAddr: netip.MustParseAddrPort("10.1.1.1:0")}, "10.1.1.1:0"},
		{ConnSource{Use: SourceAddr, UseAddr: netip.MustParseAddrPort("10.1.1.1:99")}, "10.1.1.1:99"},
		{ConnSource{Use: SourceClient}, "10.0.0.9:4321"},
		{ConnSource{Use: SourceClientIP}, "10.0.0.9:0"},
	} {
		got, ok := tc.cs.foreign(client, nil)
		if s := got.String(); ok != (tc.want != "") || ok && s != tc.want {
			t.Errorf("%+v: %v %v, want %q", tc.cs, got, ok, tc.want)
		}
	}
	// a client without an address (a check, a unix socket): no foreign bind
	if _, ok := (&ConnSource{Use: SourceClientIP}).foreign(netip.AddrPort{}, nil); ok {
		t.Error("clientip without a client address binds a foreign one")
	}
}

// TestInetaddrHostLim: usesrc hdr_ip's address reader, HAProxy's
// inetaddr_host_lim.
func TestInetaddrHostLim(t *testing.T) {
	for in, want := range map[string]string{
		"10.1.2.3":      "10.1.2.3",
		"10.1.2.3:80":   "10.1.2.3",
		"10.1":          "10.1.0.0",
		"abc":           "0.0.0.0",
		"":              "0.0.0.0",
		"1.2.3.4.5":     "1.2.3.4",
		"0010.1.2.3":    "10.1.2.3",
		"1.256.0.0":     "2.0.0.0",
		"::1":           "0.0.0.0",
		"192.168.1.9x":  "192.168.1.9",
		"127.0.0.9 abc": "127.0.0.9",
	} {
		if got := inetaddrHostLim(in).String(); got != want {
			t.Errorf("%q: %s, want %s", in, got, want)
		}
	}
}
