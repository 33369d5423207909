package vrrp

import (
	"net/netip"
	"testing"
)

// TestLengthDropMessage: keepalived 2.2.7 logs IPv4 lengths with the IP
// header (captured from the real daemon: a 10-byte payload is "length 30
// and expect 40", a 1220-byte one "length 1240 and expect 40").
func TestLengthDropMessage(t *testing.T) {
	cfg := DefaultInstanceConfig()
	cfg.Name, cfg.VRID = "lb_ha", 51
	cfg.VIPs = []netip.Addr{netip.MustParseAddr("192.168.110.100")}
	a := Advert{Version: 2, Type: TypeAdvertisement, VRID: 51, Priority: 200, AdverInt: 1, Addrs: cfg.VIPs}
	good, err := a.Marshal(netip.MustParseAddr("192.168.110.66"), MulticastGroup4)
	if err != nil {
		t.Fatal(err)
	}
	meta := RxMeta{Src: netip.MustParseAddr("192.168.110.66"), Dst: MulticastGroup4, TTL: 255}
	for _, tc := range []struct {
		payload []byte
		want    string
	}{
		{good[:10], "vrrp packet too short, length 30 and expect 40"},
		{append(append([]byte(nil), good...), make([]byte, 1200)...), "vrrp packet too long, length 1240 and expect 40"},
	} {
		var adv Advert
		v := Validate(&cfg, tc.payload, meta, true, &adv)
		if v.Reason != DropLength || v.Msg != tc.want {
			t.Errorf("%d bytes: %v %q, want %q", len(tc.payload), v.Reason, v.Msg, tc.want)
		}
	}
}
