package proxyproto

import (
	"encoding/binary"
	"net/netip"
	"strconv"
)

// AppendV1 appends the v1 line HAProxy 2.6 sends to a `send-proxy` server
// for a client connection from src to dst: TCP4 when both are IPv4, TCP6
// (IPv4 ones mapped) when either is IPv6, UNKNOWN when either is unset.
func AppendV1(out []byte, src, dst netip.AddrPort) []byte {
	if !src.IsValid() || !dst.IsValid() {
		return append(out, "PROXY UNKNOWN\r\n"...)
	}
	s, d := src.Addr().Unmap(), dst.Addr().Unmap()
	if s.Is4() && d.Is4() {
		out = append(out, "PROXY TCP4 "...)
	} else {
		out = append(out, "PROXY TCP6 "...)
		s, d = as16(s), as16(d)
	}
	out = s.AppendTo(out)
	out = append(out, ' ')
	out = d.AppendTo(out)
	out = append(out, ' ')
	out = strconv.AppendUint(out, uint64(src.Port()), 10)
	out = append(out, ' ')
	out = strconv.AppendUint(out, uint64(dst.Port()), 10)
	return append(out, "\r\n"...)
}

// AppendV2 appends the v2 header HAProxy 2.6 sends to a `send-proxy-v2`
// server (no proxy-v2-options, no TLS on the client side: no TLV): PROXY
// over TCP/IPv4 when both addresses are IPv4, TCP/IPv6 (IPv4 ones mapped)
// when either is IPv6, LOCAL with no address when either is unset.
func AppendV2(out []byte, src, dst netip.AddrPort) []byte {
	out = append(out, Sig2...)
	if !src.IsValid() || !dst.IsValid() {
		return append(out, 0x20, 0x00, 0, 0)
	}
	s, d := src.Addr().Unmap(), dst.Addr().Unmap()
	if s.Is4() && d.Is4() {
		out = append(out, 0x21, 0x11, 0, addrLenIPv4)
		s4, d4 := s.As4(), d.As4()
		out = append(out, s4[:]...)
		out = append(out, d4[:]...)
	} else {
		out = append(out, 0x21, 0x21, 0, addrLenIPv6)
		s16, d16 := s.As16(), d.As16()
		out = append(out, s16[:]...)
		out = append(out, d16[:]...)
	}
	out = binary.BigEndian.AppendUint16(out, src.Port())
	return binary.BigEndian.AppendUint16(out, dst.Port())
}

// as16 turns an IPv4 address into its IPv4-mapped IPv6 form, which
// inet_ntop prints as ::ffff:a.b.c.d.
func as16(a netip.Addr) netip.Addr {
	if a.Is4() {
		return netip.AddrFrom16(a.As16())
	}
	return a
}
