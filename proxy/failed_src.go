package proxy

import (
	"net/netip"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// The local address of a failed connect (bc_src, bc_src_port): HAProxy
// keeps the failed server connection with the stream and reads the
// socket's address when a log line or a rule asks for it (measured on
// 2.6.12 after a refused connect: 0.0.0.0 and the ephemeral port the
// kernel gave the attempt; HAProxy learns the failure by calling
// connect() again, which makes the kernel disconnect the socket and
// forget its source address). Go's dialer closes a socket whose connect
// failed without telling: when the configuration reads bc_src
// (Backend.FailedSrc), the dial keeps a duplicate of each socket it
// creates (failedSrcTap); once the connect failed it calls connect()
// again on it as HAProxy does and reads its address. The duplicate is
// closed in every case as soon as the dial returns.

// failedSrcTap holds the duplicate of the socket a dial created and the
// address it connects to.
type failedSrcTap struct {
	mu sync.Mutex // a dial racing two addresses creates two sockets at once
	fd int
	to string
}

// control chains next with the duplication of the socket (Go calls it
// once per socket, before connect; a dial trying several addresses
// keeps the last one's).
func (t *failedSrcTap) control(next func(string, string, syscall.RawConn) error) func(string, string, syscall.RawConn) error {
	t.fd = -1
	return func(network, address string, rc syscall.RawConn) error {
		if next != nil {
			if err := next(network, address, rc); err != nil {
				return err
			}
		}
		return rc.Control(func(fd uintptr) {
			d, err := unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 0)
			if err != nil {
				return
			}
			t.mu.Lock()
			t.close()
			t.fd, t.to = d, address
			t.mu.Unlock()
		})
	}
}

// failed is the socket's address after a failed connect (err != nil),
// invalid otherwise (the connection that fails later shows its own); the
// duplicate is closed.
func (t *failedSrcTap) failed(err error) netip.AddrPort {
	t.mu.Lock()
	defer t.mu.Unlock()
	defer t.close()
	if err == nil || t.fd < 0 {
		return netip.AddrPort{}
	}
	if to, perr := netip.ParseAddrPort(t.to); perr == nil {
		// HAProxy's check of the connect's outcome (its sock_conn_check)
		var sa unix.Sockaddr = &unix.SockaddrInet6{Port: int(to.Port()), Addr: to.Addr().As16()}
		if a := to.Addr().Unmap(); a.Is4() {
			sa = &unix.SockaddrInet4{Port: int(to.Port()), Addr: a.As4()}
		}
		unix.Connect(t.fd, sa) // ECONNABORTED after a refusal, EALREADY while still trying
	}
	sa, err := unix.Getsockname(t.fd)
	if err != nil {
		return netip.AddrPort{}
	}
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return unmapped(netip.AddrPortFrom(netip.AddrFrom16(a.Addr), uint16(a.Port)))
	}
	return netip.AddrPort{}
}

// close drops the duplicate (the dial's own socket is untouched); t.mu
// held.
func (t *failedSrcTap) close() {
	if t.fd >= 0 {
		unix.Close(t.fd)
		t.fd = -1
	}
}

// noteServerTriedFrom records the local address of the failed connect
// attempt noteServerTried records the destination of (bc_err.go).
func (r *RequestInfo) noteServerTriedFrom(ap netip.AddrPort) {
	if r != nil {
		r.srvTriedFrom = ap
	}
}
