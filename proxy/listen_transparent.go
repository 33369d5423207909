package proxy

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"

	"github.com/goha-lb/goha/proxy/listen"
	"golang.org/x/sys/unix"
)

// listenTransparent opens a `bind ... transparent` listener: its socket
// may bind an address the host does not own and accepts connections
// TPROXY hands it for foreign destinations. As HAProxy's listeners, it
// gets IP_TRANSPARENT (else IP_FREEBIND) before binding, and fails with
// HAProxy's words when neither can be set. The listener comes from
// Options.Listen when it can bind the address (an inherited socket keeps
// its options; a fresh one gets the option after binding), else it is
// bound here, with SO_REUSEPORT when so asks it, as HAProxy binds (and
// without the bind line's other socket options, so).
func (p *Proxy) listenTransparent(addr string, so listen.SockOpts) (net.Listener, error) {
	var ln net.Listener
	var err error
	if p.opt.Listen != nil {
		ln, err = p.opt.Listen("tcp", addr, so)
		if err != nil && !errors.Is(err, syscall.EADDRNOTAVAIL) {
			return nil, err
		}
	}
	if ln == nil {
		lc := net.ListenConfig{KeepAlive: -1, Control: func(network, _ string, rc syscall.RawConn) error {
			var serr error
			if err := rc.Control(func(fd uintptr) {
				if serr = makeListenerForeign(int(fd), network); serr == nil && so.ReusePort {
					serr = unix.SetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
				}
			}); err != nil {
				return err
			}
			return serr
		}}
		return lc.Listen(context.Background(), "tcp", addr)
	}
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("%T is not a TCP listener", ln)
	}
	rc, err := tl.SyscallConn()
	if err == nil {
		network := "tcp4"
		if a, ok := tl.Addr().(*net.TCPAddr); ok && a.IP.To4() == nil {
			network = "tcp6"
		}
		var serr error
		if err = rc.Control(func(fd uintptr) { serr = makeListenerForeign(int(fd), network) }); err == nil {
			err = serr
		}
	}
	if err != nil {
		tl.Close()
		return nil, err
	}
	return tl, nil
}

// makeListenerForeign is makeForeign with the listener's message.
func makeListenerForeign(fd int, network string) error {
	if makeForeign(fd, network) != nil {
		return errors.New("cannot make listening socket transparent")
	}
	return nil
}
