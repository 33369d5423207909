package proxy

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// SourceUse is how a server's source presents a foreign address
// (`usesrc`), HAProxy's CO_SRC_TPROXY_* modes.
type SourceUse int

const (
	SourceOwn      SourceUse = iota // no usesrc: Addr itself
	SourceAddr                      // usesrc <addr>[:<port>]
	SourceClient                    // usesrc client: the client's address and port
	SourceClientIP                  // usesrc clientip: the client's address, a spare port
	SourceHdrIP                     // usesrc hdr_ip(<hdr>[,<occ>]): an IPv4 address from a request header
)

// ConnSource is where connections to a server come from (`source` on
// the server line, else on its backend): the address and port or port
// range bound before connecting, the foreign address presented instead
// (usesrc, IP_TRANSPARENT) and the interface (SO_BINDTODEVICE). Health
// checks bind Addr and the range too, never the foreign address
// (HAProxy's checks carry no client).
type ConnSource struct {
	Addr netip.Addr
	Port uint16
	// Range, when set, is the server's port range: each connection takes
	// the port it binds from it and gives it back when closed.
	Range     *PortRange
	Use       SourceUse
	UseAddr   netip.AddrPort
	Interface string
	// Hdr reads usesrc hdr_ip's header occurrence of an HTTP request
	// (nil outside HTTP or at occurrence 0: every connection fails then,
	// as HAProxy's).
	Hdr func(*RequestInfo) (string, bool)
}

// private reports whether connections presenting the client's address
// belong to their session alone (HAProxy marks them private).
func (cs *ConnSource) private() bool {
	return cs != nil && (cs.Use == SourceClient || cs.Use == SourceClientIP || cs.Use == SourceHdrIP)
}

// foreign is the address a connection for a client at client presents
// (HAProxy's alloc_bind_address and tcp_bind_socket's flags): usesrc
// <addr> its address and port, client the client's address and port,
// clientip the client's address with a port the system picks, hdr_ip the
// address read from req's header (a spare port). ok is false when the
// connection binds the source address itself.
func (cs *ConnSource) foreign(client netip.AddrPort, req *RequestInfo) (netip.AddrPort, bool) {
	switch cs.Use {
	case SourceAddr:
		return cs.UseAddr, true
	case SourceClient:
		if client.IsValid() {
			return netip.AddrPortFrom(client.Addr().Unmap(), client.Port()), true
		}
	case SourceClientIP:
		if client.IsValid() {
			return netip.AddrPortFrom(client.Addr().Unmap(), 0), true
		}
	case SourceHdrIP:
		if cs.Hdr != nil && req != nil {
			// a value read as 0.0.0.0 binds the source address
			// (measured on HAProxy 2.6)
			if v, ok := cs.Hdr(req); ok {
				if a := inetaddrHostLim(v); !a.IsUnspecified() {
					return netip.AddrPortFrom(a, 0), true
				}
			}
		}
	}
	return netip.AddrPort{}, false
}

// inetaddrHostLim reads an IPv4 address as HAProxy's inetaddr_host_lim
// does for usesrc hdr_ip: up to four dot-separated groups of digits, each
// worth its last three digits (a group over 255 carries into the one
// before it), missing groups zero; anything else ends the address, so a
// value that is no address is 0.0.0.0.
func inetaddrHostLim(s string) netip.Addr {
	var n uint32
	i := 0
	for shift := 24; ; shift -= 8 {
		start := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		group := s[start:i]
		if len(group) > 3 {
			group = group[len(group)-3:]
		}
		v := uint32(0)
		for _, c := range []byte(group) {
			v = v*10 + uint32(c-'0')
		}
		n += v << shift
		if shift == 0 || i >= len(s) || s[i] != '.' {
			break
		}
		i++
	}
	return netip.AddrFrom4([4]byte{byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)})
}

// errSourceHeader is usesrc hdr_ip's header missing from the request,
// or read at occurrence 0, or outside HTTP: HAProxy 2.6 then ends the
// stream with an internal error (500, IC), without connecting or
// retrying (measured).
var errSourceHeader = errors.New("usesrc hdr_ip: no such header")

// errPortRange is a port range with no port left (CO_ER_PORT_RANGE).
var errPortRange = errors.New("source port range exhausted")

// Dial connects to addr from cs for a client at client (invalid for a
// health check, which binds the source address): as HAProxy's
// tcp_connect_server, with SO_REUSEADDR, IP_BIND_ADDRESS_NO_PORT when no
// range is set, IP_TRANSPARENT (else IP_FREEBIND) for a foreign address,
// and up to 10 ports of the range tried when binding one fails. release
// gives the range's port back; call it once the connection is closed.
func (cs *ConnSource) Dial(ctx context.Context, d net.Dialer, network, addr string, client netip.AddrPort, req *RequestInfo) (c net.Conn, release func(), err error) {
	if cs.Use == SourceHdrIP {
		if cs.Hdr == nil || req == nil {
			return nil, nil, errSourceHeader
		}
		if _, ok := cs.Hdr(req); !ok {
			return nil, nil, errSourceHeader
		}
	}
	from, foreign := cs.foreign(client, req)
	return cs.dial(ctx, d, network, addr, from, foreign)
}

// DialCheck connects a health check to addr: from the source address and
// range, never usesrc's foreign address (a check has no client).
func (cs *ConnSource) DialCheck(ctx context.Context, d net.Dialer, network, addr string) (c net.Conn, release func(), err error) {
	return cs.dial(ctx, d, network, addr, netip.AddrPort{}, false)
}

func (cs *ConnSource) dial(ctx context.Context, d net.Dialer, network, addr string, from netip.AddrPort, foreign bool) (c net.Conn, release func(), err error) {
	d.Control = cs.control(foreign, d.Control)
	attempts := 1
	if cs.Range != nil {
		attempts = 10 // HAProxy's "more than enough to find a spare port"
	}
	for ; attempts > 0; attempts-- {
		local := netip.AddrPortFrom(cs.Addr, cs.Port)
		var port uint16
		if cs.Range != nil {
			if port = cs.Range.alloc(); port == 0 {
				return nil, nil, errPortRange
			}
			local = netip.AddrPortFrom(cs.Addr, port)
		}
		if foreign {
			local = from // the range's port is taken, not bound (as HAProxy)
		}
		d.LocalAddr = net.TCPAddrFromAddrPort(local)
		c, err = d.DialContext(ctx, network, addr)
		release = func() {}
		if port != 0 {
			var once sync.Once
			r := cs.Range
			release = func() { once.Do(func() { r.release(port) }) }
		}
		if err == nil {
			return c, release, nil
		}
		release()
		if !isBindError(err) {
			break
		}
	}
	return nil, nil, err
}

// isBindError reports an error of the bind before connect.
func isBindError(err error) bool {
	var se *os.SyscallError
	return errors.As(err, &se) && se.Syscall == "bind"
}

// control sets the source socket's options before Go binds it.
func (cs *ConnSource) control(foreign bool, next func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	return func(network, address string, rc syscall.RawConn) error {
		if next != nil {
			if err := next(network, address, rc); err != nil {
				return err
			}
		}
		var serr error
		err := rc.Control(func(fd uintptr) {
			s := int(fd)
			if cs.Interface != "" {
				// may fail without CAP_NET_RAW; HAProxy goes on then too
				_ = unix.SetsockoptString(s, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, cs.Interface)
			}
			if cs.Range == nil {
				_ = unix.SetsockoptInt(s, unix.SOL_IP, unix.IP_BIND_ADDRESS_NO_PORT, 1)
			}
			if foreign {
				serr = makeForeign(s, network)
			}
			_ = unix.SetsockoptInt(s, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1)
		})
		if err != nil {
			return err
		}
		return serr
	}
}

// makeForeign lets socket s bind an address the host does not own, as
// HAProxy's sock_inet*_make_foreign: IP_TRANSPARENT, else IP_FREEBIND.
func makeForeign(s int, network string) error {
	if network == "tcp6" {
		if unix.SetsockoptInt(s, unix.SOL_IPV6, unix.IPV6_TRANSPARENT, 1) == nil {
			return nil
		}
	} else if unix.SetsockoptInt(s, unix.SOL_IP, unix.IP_TRANSPARENT, 1) == nil {
		return nil
	}
	if err := unix.SetsockoptInt(s, unix.SOL_IP, unix.IP_FREEBIND, 1); err != nil {
		return os.NewSyscallError("bind", err) // "Cannot bind to tproxy source address"
	}
	return nil
}

// PortRange is a server's source port range, HAProxy's port_range: a
// queue of free ports, first taken first, given back at its end.
type PortRange struct {
	mu         sync.Mutex
	ring       []uint16
	head, free int
}

// NewPortRange is the range lo..hi, its ports in order.
func NewPortRange(lo, hi int) *PortRange {
	r := &PortRange{ring: make([]uint16, 0, hi-lo+1)}
	for p := lo; p <= hi; p++ {
		r.ring = append(r.ring, uint16(p))
	}
	r.free = len(r.ring)
	return r
}

// alloc takes the next free port, 0 when none is left.
func (r *PortRange) alloc() uint16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.free == 0 {
		return 0
	}
	p := r.ring[r.head]
	r.head = (r.head + 1) % len(r.ring)
	r.free--
	return p
}

// release gives port p back, behind the other free ports.
func (r *PortRange) release(p uint16) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.ring[(r.head+r.free)%len(r.ring)] = p
	r.free++
}
