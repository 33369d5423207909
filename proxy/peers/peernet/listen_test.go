package peernet

import (
	"net"
	"testing"
	"time"
)

// TestRetryListen: a node whose peer address is taken fails to start, or
// with RetryListen starts and listens once the address is free.
func TestRetryListen(t *testing.T) {
	holder, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := holder.Addr().String()
	if n, err := Start(Config{Local: "a", Listen: addr}); err == nil {
		n.Close()
		t.Fatal("started on a taken address")
	}
	n, err := Start(Config{Local: "a", Listen: addr, RetryListen: true})
	if err != nil {
		t.Fatal(err)
	}
	defer n.Close()
	if n.Addr() != nil {
		t.Fatal("listening on a taken address")
	}
	holder.Close()
	waitFor(t, "the listener", 3*time.Second, func() bool { return n.Addr() != nil })
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}
