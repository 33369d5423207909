package proxyproto

import (
	"encoding/binary"
	"errors"
	"net/netip"
)

// Errors DecodeCIP returns, worded as HAProxy 2.6 logs them.
var (
	ErrCIPTruncated = errors.New("Truncated NetScaler Client IP header received")
	ErrCIPBadMagic  = errors.New("Received an invalid NetScaler Client IP magic number")
	ErrCIPBadProto  = errors.New("Received an unhandled protocol in the NetScaler Client IP header")
)

// DecodeCIP reads the NetScaler Client IP header at the start of b (all
// the bytes that have arrived: like HAProxy, which peeks once, a header
// cut short is refused rather than waited for), as HAProxy 2.6 reads it on
// an `accept-netscaler-cip <magic>` bind: a 32-bit magic, then either the
// legacy form (a 32-bit length; the byte after it has 0x40 in its 0xD0
// bits) or the standard one (byte 8 zero, a 16-bit length at offset 10),
// then the client's IPv4 or IPv6 header and TCP header as the NetScaler
// received them, whose addresses and ports become the connection's. n is
// the header's length in bytes: the prefix (8 or 12) and the announced
// length, which HAProxy takes as given, even when it is shorter than the
// IP and TCP headers it read.
func DecodeCIP(b []byte, magic uint32) (src, dst netip.AddrPort, n int, err error) {
	if len(b) < 12 {
		return src, dst, 0, ErrCIPTruncated
	}
	if binary.BigEndian.Uint32(b) != magic {
		return src, dst, 0, ErrCIPBadMagic
	}
	var hdrLen, off int
	switch {
	case b[8]&0xD0 == 0x40: // legacy
		hdrLen, off = int(binary.BigEndian.Uint32(b[4:])), 8
	case b[8] == 0: // standard
		hdrLen, off = int(binary.BigEndian.Uint16(b[10:])), 12
	default:
		return src, dst, 0, ErrCIPBadProto
	}
	if len(b) < 20 {
		return src, dst, 0, ErrCIPTruncated
	}
	ip := b[off:]
	switch ip[0] >> 4 {
	case 4:
		// HAProxy compares the bytes it has, prefix included, with 40
		// and with the announced length.
		if len(b) < 40 || len(b) < hdrLen {
			return src, dst, 0, ErrCIPTruncated
		}
		if ip[9] != 6 { // TCP
			return src, dst, 0, ErrCIPBadProto
		}
		tcp := int(ip[0]&0x0f) * 4
		if off+tcp+4 > len(b) {
			return src, dst, 0, ErrCIPTruncated // HAProxy would read past what it has
		}
		s, _ := netip.AddrFromSlice(ip[12:16])
		d, _ := netip.AddrFromSlice(ip[16:20])
		src = netip.AddrPortFrom(s, binary.BigEndian.Uint16(ip[tcp:]))
		dst = netip.AddrPortFrom(d, binary.BigEndian.Uint16(ip[tcp+2:]))
	case 6:
		if len(b) < 60 || len(b) < hdrLen {
			return src, dst, 0, ErrCIPTruncated
		}
		if ip[6] != 6 { // next header: TCP
			return src, dst, 0, ErrCIPBadProto
		}
		if off+44 > len(b) {
			return src, dst, 0, ErrCIPTruncated
		}
		s, _ := netip.AddrFromSlice(ip[8:24])
		d, _ := netip.AddrFromSlice(ip[24:40])
		src = netip.AddrPortFrom(s, binary.BigEndian.Uint16(ip[40:]))
		dst = netip.AddrPortFrom(d, binary.BigEndian.Uint16(ip[42:]))
	default:
		return src, dst, 0, ErrCIPBadProto
	}
	return src, dst, off + hdrLen, nil
}
