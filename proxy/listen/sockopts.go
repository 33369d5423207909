package listen

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// V6Mode is what a bind line says of IPV6_V6ONLY.
type V6Mode uint8

const (
	// V6Default is a bind line without v4v6 or v6only: HAProxy gives an
	// IPv6 socket the system's default (net.ipv6.bindv6only), where Go
	// would always clear the flag on a "tcp" listener.
	V6Default V6Mode = iota
	// V4V6 is `v4v6`: IPV6_V6ONLY cleared, a `:::port` bind takes IPv4
	// too.
	V4V6
	// V6Only is `v6only` (stronger than v4v6 on the same line).
	V6Only
)

// SockOpts are the socket options a bind line gives its listening socket,
// set as HAProxy 2.6 sets them between socket() and listen(): they apply
// to sockets this process opens, not to inherited ones (fd@, a previous
// worker's), which keep the options they were opened with.
type SockOpts struct {
	V6 V6Mode
	// DeferAccept is `defer-accept`: TCP_DEFER_ACCEPT of one second
	// (HAProxy's value): a connection is accepted once data arrived.
	DeferAccept bool
	// UserTimeout is `tcp-ut` (TCP_USER_TIMEOUT, which accepted sockets
	// inherit); 0 leaves the system's.
	UserTimeout time.Duration
	// Interface is `interface` (SO_BINDTODEVICE).
	Interface string
	// Namespace is `namespace`: the socket is opened inside the network
	// namespace /var/run/netns/<name>, as `ip netns` names them.
	Namespace string
	// ReusePort is SO_REUSEPORT (HAProxy sets it unless noreuseport).
	ReusePort bool
}

// bindv6only reads the system's default IPV6_V6ONLY once, as HAProxy
// probes it at start (false when IPv6 is absent).
var bindv6only = sync.OnceValue(func() bool {
	b, err := os.ReadFile("/proc/sys/net/ipv6/bindv6only")
	return err == nil && strings.TrimSpace(string(b)) == "1"
})

// control sets o on a socket Go has created and not bound yet; Go has
// already written IPV6_V6ONLY (0 for "tcp", 1 for "tcp6"), overwritten here
// with HAProxy's choice.
func (o SockOpts) control(network, _ string, c syscall.RawConn) error {
	var serr error
	set := func(fd, level, opt, v int) {
		if serr == nil {
			serr = unix.SetsockoptInt(fd, level, opt, v)
		}
	}
	err := c.Control(func(fdp uintptr) {
		fd := int(fdp)
		if o.ReusePort {
			set(fd, unix.SOL_SOCKET, unix.SO_REUSEPORT, 1)
		}
		if strings.HasSuffix(network, "6") {
			v6only := bindv6only()
			switch o.V6 {
			case V4V6:
				v6only = false
			case V6Only:
				v6only = true
			}
			set(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, boolInt(v6only))
		}
		if o.Interface != "" && serr == nil {
			if err := unix.SetsockoptString(fd, unix.SOL_SOCKET, unix.SO_BINDTODEVICE, o.Interface); err != nil {
				serr = fmt.Errorf("cannot bind listener to device %s: %w", o.Interface, err)
			}
		}
		if o.DeferAccept {
			set(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, 1)
		}
		if o.UserTimeout > 0 {
			// HAProxy's time parser rounds up to whole milliseconds (100us: 1)
			set(fd, unix.IPPROTO_TCP, unix.TCP_USER_TIMEOUT, int((o.UserTimeout+time.Millisecond-1)/time.Millisecond))
		}
	})
	if err != nil {
		return err
	}
	return serr
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// listenNetwork is the network a "host:port" bind is opened with: HAProxy
// opens an IPv4 address as an AF_INET socket, where Go's "tcp" turns a
// 0.0.0.0 listener into a dual-stack IPv6 one that also takes IPv6
// clients. Host names keep "tcp".
func listenNetwork(network, addr string) string {
	if network != "tcp" {
		return network
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return network
	}
	ip, err := netip.ParseAddr(host)
	switch {
	case err != nil:
		return network
	case ip.Is4():
		return "tcp4"
	}
	return "tcp6"
}

// Open binds and listens on addr with o, the way a bind line without an
// inherited socket is opened.
func Open(network, addr string, o SockOpts) (net.Listener, error) {
	// KeepAlive -1: Go's accept would set SO_KEEPALIVE and three probe
	// options on every connection; the frontend's clitcpka decides
	// (proxy/tcpka.go), so they are setsockopt calls for nothing.
	lc := net.ListenConfig{KeepAlive: -1, Control: o.control}
	// Go (1.24 on) opens a listener as MPTCP where the kernel has it;
	// HAProxy 2.6 opens plain TCP, whose options (TCP_USER_TIMEOUT, ...)
	// an MPTCP socket does not all take.
	lc.SetMultipathTCP(false)
	network = listenNetwork(network, addr)
	if o.Namespace == "" {
		return lc.Listen(context.Background(), network, addr)
	}
	return InNamespace(o.Namespace, func() (net.Listener, error) {
		return lc.Listen(context.Background(), network, addr)
	})
}

// InNamespace runs open on an OS thread moved into the named network
// namespace (ip netns's /var/run/netns/<name>): the sockets it creates
// stay there for their whole life. The thread goes back to its own
// namespace and to Go's scheduler afterwards; when it cannot go back, its
// goroutine ends locked and the runtime retires it.
func InNamespace[T any](name string, open func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	go func() {
		var zero T
		runtime.LockOSThread()
		fd, err := unix.Open("/var/run/netns/"+name, unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{zero, fmt.Errorf("cannot open namespace '%s': %w", name, err)}
			return
		}
		defer unix.Close(fd)
		self, err := unix.Open(fmt.Sprintf("/proc/self/task/%d/ns/net", unix.Gettid()), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			runtime.UnlockOSThread()
			done <- result{zero, fmt.Errorf("cannot open this thread's namespace: %w", err)}
			return
		}
		defer unix.Close(self)
		if err := unix.Setns(fd, unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- result{zero, fmt.Errorf("cannot switch to namespace '%s': %w", name, err)}
			return
		}
		v, err := open()
		if unix.Setns(self, unix.CLONE_NEWNET) == nil {
			runtime.UnlockOSThread()
		}
		done <- result{v, err}
	}()
	r := <-done
	return r.v, r.err
}
