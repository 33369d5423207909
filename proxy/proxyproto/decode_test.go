package proxyproto

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"net/netip"
	"strings"
	"testing"
)

func ap(s string) netip.AddrPort { return netip.MustParseAddrPort(s) }

// v2 builds a v2 header: command, family and body (length filled in).
func v2(cmd, fam byte, body ...[]byte) []byte {
	b := append([]byte{}, Sig2...)
	b = append(b, 0x20|cmd, fam, 0, 0)
	for _, p := range body {
		b = append(b, p...)
	}
	binary.BigEndian.PutUint16(b[14:16], uint16(len(b)-v2HeadLen))
	return b
}

var ip4body = []byte{192, 0, 2, 1, 198, 51, 100, 7, 0x30, 0x39, 0, 80} // 192.0.2.1:12345 -> 198.51.100.7:80

func tlv(typ byte, val []byte) []byte {
	return append([]byte{typ, byte(len(val) >> 8), byte(len(val))}, val...)
}

// withCRC appends a CRC32C TLV computed as HAProxy does.
func withCRC(fam byte, body []byte) []byte {
	h := v2(1, fam, body, tlv(tlvCRC32C, []byte{0, 0, 0, 0}))
	c := crc32.Checksum(h, crc32.MakeTable(crc32.Castagnoli))
	binary.BigEndian.PutUint32(h[len(h)-4:], c)
	return h
}

func TestDecode(t *testing.T) {
	ipv6body := append(append(append([]byte{}, netip.MustParseAddr("2001:db8::1").AsSlice()...),
		netip.MustParseAddr("2001:db8::2").AsSlice()...), 0x01, 0xbb, 0x1f, 0x90)
	badCRC := withCRC(0x11, ip4body)
	badCRC[len(badCRC)-1] ^= 1
	tests := []struct {
		name string
		in   []byte
		want Header
		n    int
		err  error
	}{
		{"v1 tcp4", []byte("PROXY TCP4 192.0.2.1 198.51.100.7 12345 80\r\nGET /"), Header{Version: 1, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 44, nil},
		{"v1 tcp6", []byte("PROXY TCP6 2001:db8::1 ::ffff:1.2.3.4 443 8080\r\n"), Header{Version: 1, Local: false, Src: ap("[2001:db8::1]:443"), Dst: ap("[::ffff:1.2.3.4]:8080")}, 48, nil},
		{"v1 unknown", []byte("PROXY UNKNOWN\r\nGET"), Header{Version: 1, Local: true}, 15, nil},
		{"v1 unknown with addresses is refused by 2.6", []byte("PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1}, 0, ErrBadProto},
		{"v1 udp4", []byte("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1}, 0, ErrBadProto},
		{"v1 short", []byte("PROX"), Header{}, 0, ErrNeedMore},
		{"v1 prefix", []byte("PROXY TCP4 192.0.2.1 198."), Header{Version: 1}, 0, ErrNeedMore},
		{"v1 cr without lf yet", []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r"), Header{Version: 1}, 0, ErrNeedMore},
		{"v1 unknown prefix", []byte("PROXY UNKN"), Header{Version: 1}, 0, ErrNeedMore},
		{"v1 cr then junk", []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 tcp4 with v6", []byte("PROXY TCP4 ::1 ::1 1 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 tcp6 with v4", []byte("PROXY TCP6 1.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		// HAProxy 2.6's lenient TCP4 numbers (each observed with 2.6.12).
		{"v1 short ip", []byte("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n"), Header{Version: 1, Local: false, Src: ap("1.2.3.0:1"), Dst: ap("5.6.7.8:2")}, 30, nil},
		{"v1 octet carries", []byte("PROXY TCP4 1.2.3.300 5.6.7.8 1 2\r\n"), Header{Version: 1, Local: false, Src: ap("1.2.4.44:1"), Dst: ap("5.6.7.8:2")}, 34, nil},
		{"v1 leading zero", []byte("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1, Local: false, Src: ap("1.2.3.4:1"), Dst: ap("5.6.7.8:2")}, 33, nil},
		{"v1 port wraps", []byte("PROXY TCP4 1.2.3.4 5.6.7.8 70000 2\r\n"), Header{Version: 1, Local: false, Src: ap("1.2.3.4:4464"), Dst: ap("5.6.7.8:2")}, 36, nil},
		{"v1 empty port", []byte("PROXY TCP4 1.2.3.4 5.6.7.8  2\r\n"), Header{Version: 1, Local: false, Src: ap("1.2.3.4:0"), Dst: ap("5.6.7.8:2")}, 31, nil},
		{"v1 five octets", []byte("PROXY TCP4 1.2.3.4.5 5.6.7.8 1 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 letter", []byte("PROXY TCP4 a.2.3.4 5.6.7.8 1 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 missing field", []byte("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 long line waits", append([]byte("PROXY TCP4 "), bytes.Repeat([]byte("1"), 120)...), Header{Version: 1}, 0, ErrNeedMore},
		{"v1 zone", []byte("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"v1 tcp6 extra field", []byte("PROXY TCP6 ::1 ::2 1 2 x\r\n"), Header{Version: 1, Local: false, Src: ap("[::1]:1"), Dst: ap("[::2]:2")}, 26, nil},
		{"v1 tcp6 bad port", []byte("PROXY TCP6 ::1 ::2 1x 2\r\n"), Header{Version: 1}, 0, ErrBadHeader},
		{"http request", []byte("GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Header{Version: 2}, 0, ErrNotHeader},
		{"short garbage waits like HAProxy", []byte("GET / HTTP"), Header{Version: 2}, 0, ErrNeedMore},
		{"v2 tcp4", append(v2(1, 0x11, ip4body), "GET"...), Header{Version: 2, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 28, nil},
		{"v2 tcp6", v2(1, 0x21, ipv6body), Header{Version: 2, Local: false, Src: ap("[2001:db8::1]:443"), Dst: ap("[2001:db8::2]:8080")}, 52, nil},
		{"v2 local", v2(0, 0x00), Header{Version: 2, Local: true}, 16, nil},
		{"v2 local with addresses", v2(0, 0x11, ip4body), Header{Version: 2, Local: true}, 28, nil},
		{"v2 proxy unspec is refused by 2.6", v2(1, 0x00), Header{Version: 2}, 0, ErrBadHeader},
		{"v2 proxy udp4 is refused by 2.6", v2(1, 0x12, ip4body), Header{Version: 2}, 0, ErrBadHeader},
		{"v2 bad command", v2(2, 0x11, ip4body), Header{Version: 2}, 0, ErrBadHeader},
		{"v2 version 1", append(append([]byte{}, Sig2...), 0x11, 0x11, 0, 0), Header{Version: 2}, 0, ErrNotHeader},
		{"v2 tcp4 short body", v2(1, 0x11, ip4body[:8]), Header{Version: 2}, 0, ErrBadHeader},
		{"v2 truncated", v2(1, 0x11, ip4body)[:20], Header{Version: 2}, 0, ErrNeedMore},
		{"v2 tlvs skipped", v2(1, 0x11, ip4body, tlv(0x01, []byte("h2")), tlv(0xe0, []byte("x"))), Header{Version: 2, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 37, nil},
		{"v2 tlv overrun ignored", v2(1, 0x11, ip4body, []byte{0x01, 0, 9, 'a'}), Header{Version: 2, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 32, nil},
		{"v2 tlv header cut ignored", v2(1, 0x11, ip4body, []byte{0x01, 0}), Header{Version: 2, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 30, nil},
		{"v2 crc ok", withCRC(0x11, ip4body), Header{Version: 2, Local: false, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 35, nil},
		{"v2 crc bad", badCRC, Header{Version: 2, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 0, ErrBadHeader},
		{"v2 authority too long", v2(1, 0x11, ip4body, tlv(tlvAuthority, bytes.Repeat([]byte("a"), 256))), Header{Version: 2, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 0, ErrBadHeader},
		{"v2 authority and unique id kept", v2(1, 0x11, ip4body, tlv(tlvAuthority, []byte("ex.org")), tlv(tlvUniqueID, bytes.Repeat([]byte("u"), 128))),
			Header{Version: 2, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80"), Authority: "ex.org", UniqueID: strings.Repeat("u", 128)}, 28 + 9 + 131, nil},
		{"v2 unique id too long", v2(1, 0x11, ip4body, tlv(tlvUniqueID, bytes.Repeat([]byte("u"), 129))), Header{Version: 2, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 0, ErrBadHeader},
		{"v2 crc of 5 bytes", v2(1, 0x11, ip4body, tlv(tlvCRC32C, []byte{0, 0, 0, 0, 0})), Header{Version: 2, Src: ap("192.0.2.1:12345"), Dst: ap("198.51.100.7:80")}, 0, ErrBadHeader},
	}
	for _, tt := range tests {
		h, n, err := Decode(tt.in)
		if !errors.Is(err, tt.err) || n != tt.n || h != tt.want {
			t.Errorf("%s: Decode = %+v, %d, %v; want %+v, %d, %v", tt.name, h, n, err, tt.want, tt.n, tt.err)
		}
	}
}

func TestEncode(t *testing.T) {
	tests := []struct {
		src, dst netip.AddrPort
		v1       string
		v2       []byte
	}{
		{ap("127.0.0.1:40000"), ap("127.0.0.2:8080"), "PROXY TCP4 127.0.0.1 127.0.0.2 40000 8080\r\n",
			v2(1, 0x11, []byte{127, 0, 0, 1, 127, 0, 0, 2, 0x9c, 0x40, 0x1f, 0x90})},
		{ap("[::ffff:127.0.0.1]:1"), ap("127.0.0.2:2"), "PROXY TCP4 127.0.0.1 127.0.0.2 1 2\r\n",
			v2(1, 0x11, []byte{127, 0, 0, 1, 127, 0, 0, 2, 0, 1, 0, 2})},
		{ap("127.0.0.1:1"), ap("[::1]:2"), "PROXY TCP6 ::ffff:127.0.0.1 ::1 1 2\r\n",
			v2(1, 0x21, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1}, netip.IPv6Loopback().AsSlice(), []byte{0, 1, 0, 2})},
		{netip.AddrPort{}, ap("127.0.0.2:2"), "PROXY UNKNOWN\r\n", v2(0, 0)},
	}
	for _, tt := range tests {
		if got := string(AppendV1(nil, tt.src, tt.dst)); got != tt.v1 {
			t.Errorf("AppendV1(%v, %v) = %q, want %q", tt.src, tt.dst, got, tt.v1)
		}
		if got := AppendV2(nil, tt.src, tt.dst); !bytes.Equal(got, tt.v2) {
			t.Errorf("AppendV2(%v, %v) = %x, want %x", tt.src, tt.dst, got, tt.v2)
		}
	}
}
