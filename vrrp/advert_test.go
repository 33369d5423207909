package vrrp

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestMarshalRejects(t *testing.T) {
	v4, v6 := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("fe80::1")
	many := make([]netip.Addr, 256)
	for i := range many {
		many[i] = v4
	}
	cases := []struct {
		name     string
		a        Advert
		src, dst netip.Addr
		kind     DecodeErrorKind
	}{
		{"version 4", Advert{Version: 4}, v4, v4, ErrBadVersion},
		{"256 addresses", Advert{Version: 2, Addrs: many}, v4, v4, ErrCountOverrun},
		{"mixed families", Advert{Version: 3, Addrs: []netip.Addr{v6, v4}}, v6, v6, ErrMixedFamilies},
		{"invalid address", Advert{Version: 3, Addrs: []netip.Addr{v4, {}}}, v4, v4, ErrMixedFamilies},
		{"v2 IPv6", Advert{Version: 2, Addrs: []netip.Addr{v6}}, v6, v6, ErrV2IPv6},
		{"v3 without src", Advert{Version: 3, Addrs: []netip.Addr{v4}}, netip.Addr{}, v4, ErrNeedPseudoHeader},
		{"v3 src/dst families", Advert{Version: 3, Addrs: []netip.Addr{v4}}, v4, v6, ErrNeedPseudoHeader},
	}
	for _, c := range cases {
		_, err := c.a.Marshal(c.src, c.dst)
		if !errors.Is(err, &DecodeError{Kind: c.kind}) {
			t.Errorf("%s: %v, want kind %d", c.name, err, c.kind)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
		ipv6 bool
		kind DecodeErrorKind
		text string
	}{
		{"empty", nil, false, ErrTruncated, "vrrp: packet truncated"},
		{"7 bytes", make([]byte, 7), false, ErrTruncated, "vrrp: packet truncated (7)"},
		{"version 0", make([]byte, 8), false, ErrBadVersion, "vrrp: unsupported version"},
		{"v2 over IPv6", []byte{0x21, 1, 1, 0, 0, 1, 0, 0}, true, ErrV2IPv6, "vrrp: VRRPv2 cannot carry IPv6"},
		{"v2 missing auth", []byte{0x21, 1, 1, 0, 0, 1, 0, 0}, false, ErrCountOverrun, "vrrp: address count overruns packet"},
		{"v3 count 2, one address", []byte{0x31, 1, 1, 2, 0, 100, 0, 0, 1, 2, 3, 4}, false, ErrCountOverrun, "vrrp: address count overruns packet (2)"},
		{"v3 trailing", []byte{0x31, 1, 1, 0, 0, 100, 0, 0, 9}, false, ErrTrailingBytes, "vrrp: trailing bytes after advert (1)"},
	}
	for _, c := range cases {
		var a Advert
		err := a.Decode(c.b, c.ipv6)
		if !errors.Is(err, &DecodeError{Kind: c.kind}) || err.Error() != c.text {
			t.Errorf("%s: %v, want %q", c.name, err, c.text)
		}
	}
}

func TestWireIntervals(t *testing.T) {
	cases := []struct {
		in     time.Duration
		v2     uint8
		v3     uint16
		v2wire time.Duration
	}{
		{time.Second, 1, 100, time.Second},
		{1500 * time.Millisecond, 2, 150, 2 * time.Second}, // keepalived rounds v2 to whole seconds
		{400 * time.Millisecond, 1, 40, time.Second},
		{time.Millisecond, 1, 1, time.Second},
		{300 * time.Second, 255, 4095, 255 * time.Second},
	}
	for _, c := range cases {
		cfg := InstanceConfig{AdvertInterval: c.in, Version: 2}
		if cfg.v2Interval() != c.v2 || cfg.v3Interval() != c.v3 || cfg.wireInterval() != c.v2wire {
			t.Errorf("%s: v2 %d v3 %d wire %s", c.in, cfg.v2Interval(), cfg.v3Interval(), cfg.wireInterval())
		}
	}
}

func TestPeekVRIDAndNames(t *testing.T) {
	if v, ok := PeekVRID([]byte{0x21, 51}); !ok || v != 51 {
		t.Errorf("PeekVRID = %d %v", v, ok)
	}
	if _, ok := PeekVRID([]byte{0x21}); ok {
		t.Error("PeekVRID on 1 byte")
	}
	if AuthPass.String() != "PASS" || AuthType(9).String() != "unknown" || DropTTL.String() != "ip_ttl_err" ||
		DropReason(200).String() != "DropReason(200)" || StateFault.String() != "FAULT" {
		t.Error("names")
	}
}
