package vrrp

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"
)

// FuzzDecode: Decode never panics, and whatever it accepts re-encodes to the
// same bytes (checksum aside, which Marshal recomputes).
func FuzzDecode(f *testing.F) {
	for _, name := range []string{"v2-seed-strict.pcap", "v2-auth-pass.pcap", "v3-ipv4.pcap", "v3-ipv4-halfsec.pcap", "v3-ipv6.pcap", "v2-unicast.pcap"} {
		for _, p := range readCapture(f, name) {
			f.Add(p.payload, p.src.Is6())
		}
	}
	f.Add([]byte{}, false)
	f.Add([]byte{0x21, 0x33, 0x64, 0xff, 0, 1, 0, 0}, false)
	f.Fuzz(func(t *testing.T, b []byte, ipv6 bool) {
		var a Advert
		if err := a.Decode(b, ipv6); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) || de.Error() == "" {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		src, dst := netip.MustParseAddr("192.0.2.1"), MulticastGroup4
		if ipv6 {
			src, dst = netip.MustParseAddr("fe80::1"), MulticastGroup6
		}
		out, err := a.Marshal(src, dst)
		if err != nil {
			t.Fatalf("decoded advert does not encode: %v", err)
		}
		// Everything but the checksum (recomputed) and VRRPv3's 4 reserved
		// bits (always sent as zero) survives the round trip.
		in := append([]byte(nil), b...)
		if a.Version == 3 {
			in[4] &= 0x0f
		}
		if len(out) != len(in) || !bytes.Equal(out[:6], in[:6]) || !bytes.Equal(out[8:], in[8:]) {
			t.Fatalf("round trip\n in % x\nout % x", in, out)
		}
		var back Advert
		if err := back.Decode(out, ipv6); err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if Checksum(out, src, dst) != back.Checksum && a.Version == 3 || a.Version == 2 && Checksum(out, netip.Addr{}, netip.Addr{}) != back.Checksum {
			t.Fatalf("marshalled checksum does not verify: % x", out)
		}
	})
}

// FuzzInstanceReceive: whatever arrives, in BACKUP or MASTER, the instance
// never panics, counts the advert exactly once, and stays in a valid state.
func FuzzInstanceReceive(f *testing.F) {
	for _, p := range readCapture(f, "seed-pair.pcap") {
		f.Add(p.payload, uint8(255), false)
	}
	f.Add([]byte{0x21, 0x33, 0, 1, 0, 1, 0, 0, 1, 2, 3, 4}, uint8(255), true)
	f.Fuzz(func(t *testing.T, b []byte, ttl uint8, master bool) {
		cfg := seedConfig("lb_ha", 100, "192.168.110.11")
		i := NewInstance(cfg)
		acts := i.Step(Start{Now: 0})
		if master {
			for _, a := range acts {
				if s, ok := a.(SetTimer); ok && s.Kind == TimerMasterDown {
					i.Step(TimerExpired{Now: s.At, Kind: s.Kind})
				}
			}
		}
		before := i.Counters
		i.Step(AdvertReceived{Now: 10e9, Payload: b, Src: lb2, Dst: MulticastGroup4, TTL: int(ttl)})
		var n uint64
		for k := range i.Counters {
			n += i.Counters[k] - before[k]
		}
		if n != 1 {
			t.Fatalf("advert counted %d times", n)
		}
		if s := i.State(); s != StateBackup && s != StateMaster {
			t.Fatalf("state %s", s)
		}
	})
}
