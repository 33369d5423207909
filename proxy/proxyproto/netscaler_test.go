package proxyproto

import (
	"encoding/binary"
	"net/netip"
	"testing"
)

func TestDecodeCIP(t *testing.T) {
	ip4 := make([]byte, 44) // IPv4 header with options (ihl 6), TCP ports
	ip4[0], ip4[9] = 0x46, 6
	copy(ip4[12:], []byte{10, 0, 0, 1})
	copy(ip4[16:], []byte{10, 0, 0, 2})
	binary.BigEndian.PutUint16(ip4[24:], 1000)
	binary.BigEndian.PutUint16(ip4[26:], 80)
	std := func(magic uint32, n int, ip []byte) []byte {
		b := make([]byte, 12)
		binary.BigEndian.PutUint32(b, magic)
		binary.BigEndian.PutUint16(b[10:], uint16(n))
		return append(b, ip...)
	}
	for _, tc := range []struct {
		name     string
		in       []byte
		src, dst string
		n        int
		err      error
	}{
		{"ihl 6", std(5, 44, ip4), "10.0.0.1:1000", "10.0.0.2:80", 56, nil},
		{"data after", append(std(5, 44, ip4), "GET"...), "10.0.0.1:1000", "10.0.0.2:80", 56, nil},
		{"length beyond the bytes", std(5, 100, ip4), "", "", 0, ErrCIPTruncated},
		{"11 bytes", std(5, 44, ip4)[:11], "", "", 0, ErrCIPTruncated},
		{"bad magic", std(6, 44, ip4), "", "", 0, ErrCIPBadMagic},
		{"ipv4 under 40 bytes", std(5, 20, ip4[:20]), "", "", 0, ErrCIPTruncated},
	} {
		src, dst, n, err := DecodeCIP(tc.in, 5)
		if err != tc.err || n != tc.n {
			t.Errorf("%s: n=%d err=%v, want %d %v", tc.name, n, err, tc.n, tc.err)
			continue
		}
		if err == nil && (src != netip.MustParseAddrPort(tc.src) || dst != netip.MustParseAddrPort(tc.dst)) {
			t.Errorf("%s: %v -> %v", tc.name, src, dst)
		}
	}
}

func FuzzDecodeCIP(f *testing.F) {
	f.Add([]byte{0, 0, 0, 5, 0, 0, 0, 40, 0x45}, uint32(5))
	f.Fuzz(func(t *testing.T, b []byte, magic uint32) {
		_, _, n, err := DecodeCIP(b, magic)
		if err == nil && n <= 0 {
			t.Fatalf("n=%d", n)
		}
	})
}
