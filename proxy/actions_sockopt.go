package proxy

import (
	"net"
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
// as HAProxy ignores them (no CAP_NET_ADMIN: no mark). An HTTP/2
// stream's sets it on its connection's socket, as HAProxy's on the
// session's origin connection (every stream's packets then carry it).
func (s *session) setClientSockopt(r *HeaderRule) {
	c := s.c.TCPConn
	if s.stream != nil && s.parent != nil {
		c = s.parent.c.TCPConn
	}
	setSockopt(c, r.Action, r.Status)
}

// SockoptExec is the Exec of a TCP rule's set-mark (act SetMark) or
// set-tos (SetTOS) to v: tcp-request connection, session and content and
// tcp-response content rules all set it on the client's socket, as
// HAProxy's TCP actions set it on the session's origin connection.
func SockoptExec(act RuleAction, v int) func(*RequestInfo) {
	return func(r *RequestInfo) { setSockopt(r.cliTCP, act, v) }
}

// setSockopt sets SO_MARK (act SetMark) or IP_TOS / IPV6_TCLASS (SetTOS)
// on c (nil: nothing to set) to v.
func setSockopt(c *net.TCPConn, act RuleAction, v int) {
	if c == nil {
		return
	}
	rc, err := c.SyscallConn()
	if err != nil {
		return
	}
	v4 := true
	if la, ok := c.LocalAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		a := la.AddrPort().Addr()
		v4 = a.Is4() || a.Is4In6()
	}
	rc.Control(func(fd uintptr) {
		switch {
		case act == SetMark:
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, v)
		case v4:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, v)
		default:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_TCLASS, v)
		}
	})
}
