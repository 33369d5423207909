package proxy

import (
	"context"
	"net"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/listen"
	"golang.org/x/sys/unix"
)

// ServerSock are the socket options of a server's connections that
// HAProxy's tcp_connect_server sets from the server line, on its health
// and agent checks' connections too.
type ServerSock struct {
	// UserTimeout is `tcp-ut`: TCP_USER_TIMEOUT, rounded up to whole
	// milliseconds as HAProxy's time parser does (0: the system's).
	UserTimeout time.Duration
	// Namespace is `namespace <name>`: the sockets are created in the
	// network namespace /var/run/netns/<name> ("": the process's).
	Namespace string
}

// DialFunc is how a server's or a check's connections are made.
type DialFunc func(ctx context.Context, network, addr string) (net.Conn, error)

// WrapDial makes dial create its sockets in the server's namespace.
func (o ServerSock) WrapDial(dial DialFunc) DialFunc {
	if o.Namespace == "" {
		return dial
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		return listen.InNamespace(o.Namespace, func() (net.Conn, error) { return dial(ctx, network, addr) })
	}
}

// Dialer makes d set the options on each socket before it connects,
// after whatever d.Control already did.
func (o ServerSock) Dialer(d *net.Dialer) {
	ms := int((o.UserTimeout + time.Millisecond - 1) / time.Millisecond)
	if ms <= 0 {
		return
	}
	next := d.Control
	d.Control = func(network, address string, rc syscall.RawConn) error {
		if next != nil {
			if err := next(network, address, rc); err != nil {
				return err
			}
		}
		return rc.Control(func(fd uintptr) {
			// as HAProxy, a failure here does not fail the connect
			_ = unix.SetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, ms)
		})
	}
}
