package proxy

import (
	"net"
	"net/netip"
	"strconv"
)

// target is where a connection to s for a client that connected to dst
// goes (HAProxy's alloc_dst_address): s's address, except that an
// unspecified host (0.0.0.0, ::) takes dst's address and, for a server
// mapping ports, the port is dst's plus the offset written in its place
// (16 bits, as HAProxy stores it). dst is the session's destination, which
// set-dst and set-dst-port change. Addresses of other servers are
// returned as they are, and "" stands for them in the reuse keys
// (transparentKey).
func (s *server) target(dst netip.AddrPort) string {
	a := s.address()
	if !s.cfg.AnyHost && !s.cfg.MapPorts {
		return a
	}
	host, port, err := net.SplitHostPort(a)
	if err != nil || !dst.IsValid() {
		return a
	}
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		host = dst.Addr().Unmap().String()
	}
	if s.cfg.MapPorts {
		n, _ := strconv.Atoi(port)
		port = strconv.Itoa((n + int(dst.Port())) & 0xffff)
	}
	return net.JoinHostPort(host, port)
}

// transparentKey is what a kept-alive connection to s must have been
// dialled to for a client whose destination is dst to reuse it (HAProxy
// hashes the destination into its reuse key for these servers): "" for a
// server with one fixed address.
func (s *server) transparentKey(dst netip.AddrPort) string {
	if !s.cfg.AnyHost && !s.cfg.MapPorts {
		return ""
	}
	return s.target(dst)
}
