package haproxycmd

import (
	"fmt"
	"net"
	"os"
	"sync"

	"golang.org/x/sys/unix"

	"github.com/goha-lb/goha/proxy/runtimeapi"
)

// The master CLI reaches a worker's runtime API as HAProxy's does: over a
// socket pair at admin level, whatever stats sockets the configuration
// has (none included), and an old worker too until it exits. The master
// sends one end of a fresh pair over the worker's control socket for each
// command it forwards; the worker serves a runtime API session on it.

// passCLIConn gives the worker behind ctrl one end of a new socket pair
// and returns the other end.
func passCLIConn(ctrl *net.UnixConn) (net.Conn, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	_, _, err = ctrl.WriteMsgUnix([]byte{'c'}, unix.UnixRights(fds[1]), nil)
	unix.Close(fds[1])
	f := os.NewFile(uintptr(fds[0]), "master-cli")
	defer f.Close()
	if err != nil {
		return nil, err
	}
	return net.FileConn(f)
}

// ctrlListener is a worker's side: the connections its master passed,
// as a net.Listener for the runtime API.
type ctrlListener struct {
	name  string // "sockpair@<fd>", as HAProxy's worker lists it
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newCtrlListener(fd int) *ctrlListener {
	return &ctrlListener{name: fmt.Sprintf("sockpair@%d", fd), conns: make(chan net.Conn, 8), done: make(chan struct{})}
}

func (l *ctrlListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *ctrlListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *ctrlListener) Addr() net.Addr { return &net.UnixAddr{Name: l.name, Net: "unix"} }

// receive takes the master's connections until the master goes away.
func (l *ctrlListener) receive(ctrl *net.UnixConn) {
	buf, oob := make([]byte, 64), make([]byte, unix.CmsgSpace(4*16))
	for {
		n, oobn, _, _, err := ctrl.ReadMsgUnix(buf, oob)
		if err != nil || n == 0 {
			return
		}
		msgs, _ := unix.ParseSocketControlMessage(oob[:oobn])
		for _, m := range msgs {
			fds, _ := unix.ParseUnixRights(&m)
			for _, fd := range fds {
				f := os.NewFile(uintptr(fd), "master-cli")
				c, err := net.FileConn(f)
				f.Close()
				if err != nil {
					continue
				}
				select {
				case l.conns <- c:
				case <-l.done:
					c.Close()
				}
			}
		}
	}
}

// serveMasterCLI answers the master's connections with the runtime API,
// counted as CLI connections as HAProxy counts them. Never closed: an
// old worker stays reachable through its master until it exits.
func serveMasterCLI(w *worker, ln net.Listener) {
	runtimeapi.Serve(ln, &runtimeSource{w: w}, runtimeapi.Options{Level: runtimeapi.LevelAdmin,
		Timeout: w.plan.StatsTimeout, OnAccept: func() { w.cliConns.Add(1) }})
}
