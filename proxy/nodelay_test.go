package proxy

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

// TestGoSetsNoDelay: sessions and server connections no longer set
// TCP_NODELAY themselves (one system call each per connection); Go sets
// it on every TCP connection it accepts or dials, which this checks.
func TestGoSetsNoDelay(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		acc <- c
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	a := <-acc
	if a == nil {
		t.Fatal("accept failed")
	}
	defer a.Close()
	for name, c := range map[string]net.Conn{"dialled": d, "accepted": a} {
		rc, err := c.(*net.TCPConn).SyscallConn()
		if err != nil {
			t.Fatal(err)
		}
		var v int
		var serr error
		rc.Control(func(fd uintptr) { v, serr = unix.GetsockoptInt(int(fd), unix.IPPROTO_TCP, unix.TCP_NODELAY) })
		if serr != nil || v == 0 {
			t.Errorf("%s connection: TCP_NODELAY %d (%v), want set", name, v, serr)
		}
	}
}
