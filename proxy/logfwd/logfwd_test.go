package logfwd

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/logfmt"
)

// start runs a section with a TCP bind relaying raw to a UDP socket it
// returns.
func start(t *testing.T, maxConn int, timeout time.Duration) (string, *net.UDPConn) {
	t.Helper()
	out, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close() })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	tgt := logfmt.RelayTarget{Target: logfmt.Target{Network: "udp", Addr: out.LocalAddr().String(), MaxLen: 1024,
		Format: logfmt.Raw, MaxLevel: logfmt.Debug}}
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	s := &Section{Name: "lf", Relay: logfmt.NewRelay([]logfmt.RelayTarget{tgt}, logfmt.LoggerOptions{}), TCP: []string{addr},
		MaxConn: maxConn, Timeout: timeout}
	if err := Start(ctx, s); err != nil {
		t.Fatal(err)
	}
	return addr, out
}

func recv(c *net.UDPConn, wait time.Duration) string {
	b := make([]byte, 2048)
	c.SetReadDeadline(time.Now().Add(wait))
	n, err := c.Read(b)
	if err != nil {
		return ""
	}
	return string(b[:n])
}

// TestMaxConn: with maxconn 1 a second client waits in the listen queue
// until the first leaves; its message is relayed then.
func TestMaxConn(t *testing.T) {
	addr, out := start(t, 1, 0)
	c1, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c1.Write([]byte("<14>one\n"))
	if got := recv(out, 5*time.Second); got != "one\n" {
		t.Fatalf("first client: %q", got)
	}
	c2, err := net.Dial("tcp", addr) // queued by the kernel
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write([]byte("<14>two\n"))
	if got := recv(out, 300*time.Millisecond); got != "" {
		t.Fatalf("second client served beside the first: %q", got)
	}
	c1.Close()
	if got := recv(out, 5*time.Second); got != "two\n" {
		t.Fatalf("second client after the first left: %q", got)
	}
}

// TestTimeoutClient: an idle connection is closed after timeout client;
// a malformed frame closes it at once.
func TestTimeoutClient(t *testing.T) {
	addr, _ := start(t, 10, 200*time.Millisecond)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	begin := time.Now()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(make([]byte, 1)); err == nil || time.Since(begin) > 4*time.Second {
		t.Fatalf("idle connection: %v after %v", err, time.Since(begin))
	}
	addr2, _ := start(t, 10, 0) // no timeout: only the bad frame closes it
	c2, err := net.Dial("tcp", addr2)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	c2.Write([]byte("x not a frame\n"))
	c2.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = c2.Read(make([]byte, 1))
	if err == nil || strings.Contains(err.Error(), "timeout") {
		t.Fatalf("malformed frame: %v", err)
	}
}
