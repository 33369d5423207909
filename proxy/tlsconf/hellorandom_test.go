package tlsconf

import (
	"bytes"
	"testing"
)

// hello is a handshake record holding one message of type typ whose
// random is r, split into records of at most split bytes of payload.
func hello(typ byte, r []byte, split int) []byte {
	body := append([]byte{3, 3}, r...)
	body = append(body, 0, 0, 0) // session id, cipher, ...
	msg := append([]byte{typ, 0, byte(len(body) >> 8), byte(len(body))}, body...)
	var out []byte
	for len(msg) > 0 {
		n := min(split, len(msg))
		out = append(out, 22, 3, 3, byte(n>>8), byte(n))
		out = append(out, msg[:n]...)
		msg = msg[n:]
	}
	return out
}

func TestHelloRandom(t *testing.T) {
	r1, r2 := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32)
	ccs := []byte{20, 3, 3, 0, 1, 1}
	for _, c := range []struct {
		name   string
		server bool
		in     []byte
		want   []byte
	}{
		{"client hello", false, hello(1, r1, 1000), r1},
		{"client hello in small records", false, hello(1, r1, 7), r1},
		{"server hello", true, hello(2, r2, 1000), r2},
		{"after a HelloRetryRequest", true, append(append(hello(2, hrrRandom, 1000), ccs...), hello(2, r2, 1000)...), r2},
		{"not TLS", false, []byte("GET / HTTP/1.1\r\n\r\n"), nil},
		{"encrypted first", true, append([]byte{23, 3, 3, 0, 2, 0, 0}, hello(2, r2, 1000)...), nil},
	} {
		for _, step := range []int{1, 3, 1000} {
			h := HelloRandom{Server: c.server}
			for p := c.in; len(p) > 0; p = p[min(step, len(p)):] {
				h.Feed(p[:min(step, len(p))])
			}
			if !bytes.Equal(h.Random, c.want) {
				t.Errorf("%s, fed %d bytes at a time: %x, want %x", c.name, step, h.Random, c.want)
			}
		}
	}
}

func FuzzHelloRandom(f *testing.F) {
	f.Add(hello(1, bytes.Repeat([]byte{1}, 32), 5), false)
	f.Add(hello(2, hrrRandom, 9), true)
	f.Fuzz(func(t *testing.T, in []byte, server bool) {
		h := HelloRandom{Server: server}
		for len(in) > 0 {
			n := min(int(in[0])+1, len(in))
			h.Feed(in[:n])
			in = in[n:]
		}
		if h.Random != nil && len(h.Random) != 32 {
			t.Fatalf("random of %d bytes", len(h.Random))
		}
	})
}

// TestHelloRandomAllocs: a hello that comes whole in one read is read
// where it lies; only the random is copied out.
func TestHelloRandomAllocs(t *testing.T) {
	in := append(hello(2, bytes.Repeat([]byte{2}, 32), 1000), make([]byte, 1200)...) // the rest of a server's flight
	in[len(in)-1200] = 23
	in[len(in)-1197], in[len(in)-1196] = (1200-5)>>8, (1200-5)&0xff
	n := testing.AllocsPerRun(100, func() {
		h := HelloRandom{Server: true}
		h.Feed(in)
		if h.Random == nil {
			t.Fatal("no random")
		}
	})
	if n > 1 {
		t.Errorf("%v allocations per hello, want 1 (the random)", n)
	}
}

// FuzzHelloRandomSplit: however the bytes are cut into reads, the
// random found is the one of the whole stream read at once.
func FuzzHelloRandomSplit(f *testing.F) {
	f.Add(hello(1, bytes.Repeat([]byte{1}, 32), 5), false, uint8(3))
	f.Add(append(hello(2, hrrRandom, 9), hello(2, bytes.Repeat([]byte{2}, 32), 1000)...), true, uint8(7))
	f.Fuzz(func(t *testing.T, in []byte, server bool, step uint8) {
		whole := HelloRandom{Server: server}
		whole.Feed(bytes.Clone(in))
		cut := HelloRandom{Server: server}
		s := int(step) + 1
		for p := in; len(p) > 0; p = p[min(s, len(p)):] {
			chunk := bytes.Clone(p[:min(s, len(p))])
			cut.Feed(chunk)
			clear(chunk) // Feed must not keep what it was given
		}
		if !bytes.Equal(whole.Random, cut.Random) {
			t.Fatalf("cut every %d bytes: %x, whole: %x", s, cut.Random, whole.Random)
		}
	})
}
