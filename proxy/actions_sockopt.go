package proxy

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// set-mark and set-tos: socket options on the client connection, as
// HAProxy's conn_set_mark and conn_set_tos set them.
const (
	// SetMark sets SO_MARK on the client socket to Status (netfilter
	// and policy routing see it on the packets sent to the client).
	SetMark RuleAction = 300 + iota
	// SetTOS sets the client socket's IP_TOS (IPV6_TCLASS over IPv6) to
	// Status.
	SetTOS
)

// setClientSockopt applies a SetMark or SetTOS rule. Errors are ignored
// as HAProxy ignores them (no CAP_NET_ADMIN: no mark).
func (s *session) setClientSockopt(r *HeaderRule) {
	if s.c.TCPConn == nil {
		return
	}
	rc, err := s.c.TCPConn.SyscallConn()
	if err != nil {
		return
	}
	v4 := true
	if la, ok := s.c.TCPConn.LocalAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		a := la.AddrPort().Addr()
		v4 = a.Is4() || a.Is4In6()
	}
	rc.Control(func(fd uintptr) {
		switch {
		case r.Action == SetMark:
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, r.Status)
		case v4:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, r.Status)
		default:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_TCLASS, r.Status)
		}
	})
}
