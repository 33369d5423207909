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
// as HAProxy ignores them (no CAP_NET_ADMIN: no mark).
func (s *session) setClientSockopt(r *HeaderRule) {
	setSockopt(s.c.TCPConn, r.Action == SetMark, r.Status)
}

// SockoptExec is the Exec of a tcp-request connection, session or content
// set-mark (mark true) or set-tos rule: the option is set on the client's
// socket, as the http-request action sets it.
func SockoptExec(mark bool, v int) func(*RequestInfo) {
	return func(r *RequestInfo) { setSockopt(r.cliTCP, mark, v) }
}

// setSockopt sets SO_MARK (mark) or IP_TOS (IPV6_TCLASS over IPv6) on c
// (nil: nothing).
func setSockopt(c *net.TCPConn, mark bool, v int) {
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
		case mark:
			unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_MARK, v)
		case v4:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IP, unix.IP_TOS, v)
		default:
			unix.SetsockoptInt(int(fd), unix.IPPROTO_IPV6, unix.IPV6_TCLASS, v)
		}
	})
}
