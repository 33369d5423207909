package proxy

import (
	"bytes"
	"io"
	"testing"
	"time"
)

// The raw calls keep net.Conn's contract: data, then io.EOF itself at the
// peer's close; a reset is an error that is neither EOF nor a timeout; a
// write to a peer that is gone fails (no SIGPIPE kills the process).
func TestRawIOContract(t *testing.T) {
	a, b := tcpPair(t)
	c := newTconn(a, nil)
	if c.io.raw == nil {
		t.Fatal("no raw connection")
	}
	b.Write([]byte("hello"))
	b.CloseWrite()
	buf := make([]byte, 16)
	n, err := c.read(buf, time.Second)
	if err != nil || string(buf[:n]) != "hello" {
		t.Fatalf("read %q %v", buf[:n], err)
	}
	if n, err = c.read(buf, time.Second); n != 0 || err != io.EOF {
		t.Fatalf("at the peer's close: %d %v, want 0 io.EOF", n, err)
	}

	// A large write to a reader that drains slowly: the writer waits for
	// room (EAGAIN) and everything arrives in order.
	a2, b2 := tcpPair(t)
	c2 := newTconn(a2, nil)
	msg := pattern(8<<20, 5)
	got := make(chan []byte, 1)
	go func() {
		var out bytes.Buffer
		b2.SetReadDeadline(time.Now().Add(10 * time.Second))
		small := make([]byte, 1000)
		for out.Len() < len(msg) {
			n, err := b2.Read(small)
			out.Write(small[:n])
			if err != nil {
				break
			}
		}
		got <- out.Bytes()
	}()
	if n, err := c2.write(msg, 5*time.Second); n != len(msg) || err != nil {
		t.Fatalf("write %d %v", n, err)
	}
	if g := <-got; !bytes.Equal(g, msg) {
		t.Fatalf("reader got %d bytes, want %d in order", len(g), len(msg))
	}

	// The peer resets: the read reports it (neither EOF nor a timeout),
	// then a write fails (EPIPE) without a SIGPIPE.
	a3, b3 := tcpPair(t)
	c3 := newTconn(a3, nil)
	b3.Write([]byte("unread"))
	b3.SetLinger(0) // closing sends a reset
	b3.Close()
	time.Sleep(10 * time.Millisecond)
	var rerr error
	for rerr == nil {
		_, rerr = c3.read(buf, time.Second) // drains "unread" first, if it got there
	}
	if rerr == io.EOF || isTimeout(rerr) {
		t.Fatalf("read after a reset: %v, want the reset", rerr)
	}
	if _, werr := c3.write([]byte("x"), time.Second); werr == nil || isTimeout(werr) {
		t.Fatalf("write to a reset peer: %v", werr)
	}
}
