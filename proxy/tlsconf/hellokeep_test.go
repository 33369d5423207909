package tlsconf

import (
	"bytes"
	"testing"
)

// TestHelloRandomKeepHello: with KeepHello the whole ClientHello is
// kept, though it comes cut across reads and records.
func TestHelloRandomKeepHello(t *testing.T) {
	body := make([]byte, 120)
	for i := range body {
		body[i] = byte(i)
	}
	msg := append([]byte{1, 0, 0, byte(len(body))}, body...)
	rec := func(b []byte) []byte { return append([]byte{22, 3, 1, 0, byte(len(b))}, b...) }
	stream := append(rec(msg[:50]), rec(msg[50:])...)
	for _, cut := range []int{1, 7, 40, 60, len(stream) - 1} {
		h := HelloRandom{KeepHello: true}
		h.Feed(stream[:cut])
		if h.Done() {
			t.Fatalf("cut %d: done before the whole hello", cut)
		}
		h.Feed(stream[cut:])
		if !bytes.Equal(h.Hello, msg) || !bytes.Equal(h.Random, msg[6:38]) {
			t.Errorf("cut %d: hello %x random %x", cut, h.Hello, h.Random)
		}
	}
}
