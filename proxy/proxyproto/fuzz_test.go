package proxyproto

import (
	"errors"
	"net/netip"
	"testing"
)

// FuzzDecode: Decode never panics, never claims more bytes than it got,
// only answers with its four errors, and what it decodes with addresses
// re-encodes to a header that decodes to the same addresses.
func FuzzDecode(f *testing.F) {
	f.Add([]byte("PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET / HTTP/1.1\r\n\r\n"))
	f.Add([]byte("PROXY TCP6 2001:db8::1 ::1 1 65535\r\n"))
	f.Add([]byte("PROXY UNKNOWN\r\n"))
	f.Add(v2(1, 0x11, ip4body))
	f.Add(v2(1, 0x11, ip4body, tlv(0x01, []byte("h2"))))
	f.Add(withCRC(0x11, ip4body))
	f.Add(v2(0, 0))
	f.Add([]byte("GET / HTTP/1.1\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, n, err := Decode(b)
		if err != nil {
			if n != 0 || !(errors.Is(err, ErrNeedMore) || errors.Is(err, ErrNotHeader) ||
				errors.Is(err, ErrBadHeader) || errors.Is(err, ErrBadProto)) {
				t.Fatalf("Decode(%q) = %d, %v", b, n, err)
			}
			return
		}
		if n <= 0 || n > len(b) {
			t.Fatalf("Decode(%q) consumed %d of %d", b, n, len(b))
		}
		if h.Local {
			return
		}
		for _, enc := range [][]byte{AppendV1(nil, h.Src, h.Dst), AppendV2(nil, h.Src, h.Dst)} {
			h2, n2, err := Decode(enc)
			if err != nil || n2 != len(enc) || !sameAddr(h2.Src, h.Src) || !sameAddr(h2.Dst, h.Dst) {
				t.Fatalf("round trip of %+v via %q: %+v, %d, %v", h, enc, h2, n2, err)
			}
		}
	})
}

// sameAddr compares addresses as the protocol carries them (an IPv4
// address may travel IPv4-mapped).
func sameAddr(a, b netip.AddrPort) bool {
	return a.Addr().Unmap() == b.Addr().Unmap() && a.Port() == b.Port()
}
