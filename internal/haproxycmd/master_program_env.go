package haproxycmd

// The worker's control socket pair and the addresses HAProxy's
// HAPROXY_CLI and HAPROXY_MASTER_CLI name (run_env.go sets them).

import (
	"fmt"
	"net"
	"os"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"golang.org/x/sys/unix"
)

// ctrlPair is a worker's control socket pair: the master's connection and
// the worker's end, handed over at its fork.
type ctrlPair struct {
	conn      net.Conn
	workerEnd int
}

// ctrlSocket returns the control socket pair prepared for the next worker
// (the programs' HAPROXY_CLI names it), or a new one.
func (m *master) ctrlSocket() (net.Conn, int, error) {
	if p := m.nextCtrl; p != nil {
		m.nextCtrl = nil
		return p.conn, p.workerEnd, nil
	}
	pair, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, -1, err
	}
	mine := os.NewFile(uintptr(pair[0]), "ctrl")
	conn, err := net.FileConn(mine)
	mine.Close()
	if err != nil {
		unix.Close(pair[1])
		return nil, -1, err
	}
	return conn, pair[1], nil
}

// nextCtrlFD prepares the next worker's control socket and returns the
// master's descriptor of it (-1 if it cannot be made: spawn tries again).
func (m *master) nextCtrlFD() int {
	if m.nextCtrl == nil {
		conn, w, err := m.ctrlSocket()
		if err != nil {
			return -1
		}
		m.nextCtrl = &ctrlPair{conn, w}
	}
	fd := -1
	if sc, err := m.nextCtrl.conn.(*net.UnixConn).SyscallConn(); err == nil {
		sc.Control(func(f uintptr) { fd = int(f) })
	}
	return fd
}

// listenerName is a listener's address in HAProxy's "family@address" form.
func listenerName(c any) string {
	ln, ok := c.(net.Listener)
	if !ok {
		return ""
	}
	switch a := ln.Addr().(type) {
	case *net.UnixAddr:
		return "unix@" + a.Name
	case *net.TCPAddr:
		if a.IP.To4() != nil {
			return fmt.Sprintf("ipv4@%s:%d", a.IP, a.Port)
		}
		return fmt.Sprintf("ipv6@[%s]:%d", a.IP, a.Port)
	}
	return ""
}

// statsSocketName is a stats socket's address as HAProxy's HAPROXY_CLI
// names it.
func statsSocketName(a haproxy.Address) string {
	switch a.Family {
	case "unix", "":
		if a.Path != "" || a.Family == "unix" {
			return "unix@" + a.Path
		}
	case "abns":
		return "abns@" + a.Path
	}
	host := a.Host
	if a.Family == "ipv6" || strings.Contains(host, ":") {
		if host == "" {
			host = "::"
		}
		return fmt.Sprintf("ipv6@[%s]:%d", host, a.PortLow)
	}
	if host == "" || host == "*" {
		host = "0.0.0.0"
	}
	return fmt.Sprintf("ipv4@%s:%d", host, a.PortLow)
}
