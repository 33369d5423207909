package http1

import (
	"bytes"
	"testing"
)

// The expectations are what HAProxy 2.6 forwarded for the same bytes sent
// at once (checked with raw requests against the installed haproxy).
func TestDechunker(t *testing.T) {
	tests := []struct {
		in   string
		out  string // "" with n < 0: refused
		n    int    // body bytes consumed; -1 = error
		done bool
	}{
		{"3\r\nabc\r\n0\r\n\r\n", "3\r\nabc\r\n0\r\n\r\n", 13, true},
		{"3;a=b\r\nabc\r\n0\r\nX-T: 1\r\n\r\nNEXT", "3\r\nabc\r\n0\r\nx-t: 1\r\n\r\n", 25, true},
		{"A\r\n0123456789\r\n0\r\n\r\n", "A\r\n0123456789\r\n0\r\n\r\n", 20, true},
		{"3\nabc\n0\n\n", "3\r\nabc\r\n0\r\n\r\n", 9, true},
		{"3\r\nabc\r\n2\r\nde\r\n1\r\nf\r\n0\r\n\r\n", "6\r\nabcdef\r\n0\r\n\r\n", 26, true},
		{"0000000000000005\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", 30, true},
		{"05\r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", 16, true},
		{"5 \r\nhello\r\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", 16, true},
		{"5\t;x\r\nhello\r\n0;y\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", 20, true},
		{"2;\nxx\r\n0\r\n\r\n", "2\r\nxx\r\n0\r\n\r\n", 12, true},
		{"5\r\nhello\n0\r\n\r\n", "5\r\nhello\r\n0\r\n\r\n", 14, true},
		{"0\r\nX: a\r\n b\r\nY:c\n\r\n", "0\r\nx: a   b\r\ny: c\r\n\r\n", 19, true},
		{"0\r\nContent-Length: 5\r\n\r\n", "0\r\ncontent-length: 5\r\n\r\n", 24, true},
		{"3\r\nab", "2\r\nab\r\n", 5, false},
		{"3\r\n", "", 3, false},

		{"0\r\nGET /admin HTTP/1.1\r\nHost: t\r\n\r\n", "", -1, false},
		{"0\r\nBad Name: x\r\n\r\n", "", -1, false},
		{"0\r\n: a\r\n\r\n", "", -1, false},
		{"0\r\nX: a\rb\r\n\r\n", "", -1, false},
		{"0\r\n X: a\r\n\r\n", "", -1, false},
		{"zz\r\nabc\r\n0\r\n\r\n", "", -1, false},
		{"\t5\r\nhello\r\n0\r\n\r\n", "", -1, false},
		{"5 x\r\nhello\r\n0\r\n\r\n", "", -1, false},
		{"-5\r\nhello\r\n", "", -1, false},
		{"0x5\r\nhello\r\n", "", -1, false},
		{"5\r\r\nhello\r\n", "", -1, false},
		{"5\rhello\r\n", "", -1, false},
		{"ffffffffffffffffff\r\n", "", -1, false},
		{"3\r\nabcX\r\n", "", -1, false},
		{"5\r\nhelloXX0\r\n\r\n", "", -1, false},
		{"\r\n", "", -1, false},
	}
	for _, tt := range tests {
		var d Dechunker
		out, n, err := d.Reframe([]byte("H"), []byte(tt.in))
		if tt.n < 0 {
			if err == nil {
				t.Errorf("%q: no error (out %q)", tt.in, out)
			}
			var c Dechunker
			if _, err := c.Check([]byte(tt.in)); err == nil {
				t.Errorf("%q: Check: no error", tt.in)
			}
			continue
		}
		if err != nil || n != tt.n || d.Done() != tt.done || string(out) != "H"+tt.out {
			t.Errorf("%q: out %q n=%d done=%v err=%v, want %q %d %v", tt.in, out, n, d.Done(), err, tt.out, tt.n, tt.done)
		}
		var c Dechunker
		if cn, err := c.Check([]byte(tt.in)); err != nil || cn != n || c.Done() != d.Done() {
			t.Errorf("%q: Check n=%d err=%v", tt.in, cn, err)
		}
	}
}

// Fed byte by byte, the body must reach the same end and carry the same
// data and trailers as fed at once.
func TestDechunkerSplit(t *testing.T) {
	in := []byte("5;x\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\nrest")
	var d Dechunker
	total := 0
	var out []byte
	for i := 0; i < len(in) && !d.Done(); i++ {
		var n int
		var err error
		out, n, err = d.Reframe(out, in[i:i+1])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if !d.Done() || total != len(in)-4 {
		t.Fatalf("done %v total %d", d.Done(), total)
	}
	body, tr := decodeChunked(t, out)
	if body != "helloabcdefghijklmnopqrstuvwxyz" || tr != "t: v\r\n" {
		t.Fatalf("body %q trailers %q", body, tr)
	}
}

// decodeChunked is a strict CRLF-only reference decoder of what Reframe
// emits.
func decodeChunked(t *testing.T, b []byte) (body, trailers string) {
	t.Helper()
	for {
		i := bytes.Index(b, []byte("\r\n"))
		if i <= 0 {
			t.Fatalf("no size line in %q", b)
		}
		var n int
		for _, c := range b[:i] {
			v := hexVal(c)
			if v < 0 || (c >= 'a' && c <= 'f') {
				t.Fatalf("bad size %q", b[:i])
			}
			n = n<<4 | v
		}
		b = b[i+2:]
		if n == 0 {
			end := bytes.Index(b, []byte("\r\n\r\n"))
			if string(b) == "\r\n" {
				return body, ""
			}
			if end < 0 || end+4 != len(b) || bytes.Contains(b[:end], []byte("\n\n")) {
				t.Fatalf("bad trailers %q", b)
			}
			return body, string(b[:end+2])
		}
		if len(b) < n+2 || string(b[n:n+2]) != "\r\n" {
			t.Fatalf("bad data in %q", b)
		}
		body += string(b[:n])
		b = b[n+2:]
	}
}

func TestAppendChunkRoundTrip(t *testing.T) {
	var b []byte
	b = AppendChunk(b, []byte("hello"))
	b = AppendChunk(b, bytes.Repeat([]byte("x"), 300))
	b = AppendChunk(b, nil)
	b = AppendLastChunk(b)
	if !bytes.HasPrefix(b, []byte("5\r\nhello\r\n12C\r\n")) {
		t.Fatalf("encoding %q", b[:20])
	}
	var d Dechunker
	n, err := d.Check(b)
	if err != nil || n != len(b) || !d.Done() {
		t.Fatalf("n %d err %v", n, err)
	}
}

// HTXSize counts data, then trailers and the end-of-trailers byte, as
// HAProxy 2.6 logs a chunked body (measured: a body "hello"+"abc" with
// trailer "X-Trailer: t" adds 8+10+1 to %B).
func TestDechunkerHTXSize(t *testing.T) {
	var d Dechunker
	if _, _, err := d.Reframe(nil, []byte("5\r\nhello\r\n3;ext=1\r\nabc\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := d.HTXSize(); got != 8 {
		t.Errorf("before the end: %d, want 8", got)
	}
	if _, _, err := d.Reframe(nil, []byte("0\r\nX-Trailer: t\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if got := d.HTXSize(); got != 19 {
		t.Errorf("done: %d, want 19", got)
	}
	var e Dechunker
	e.Reframe(nil, []byte("3\r\nabc\r\n0\r\n\r\n"))
	if got := e.HTXSize(); got != 4 {
		t.Errorf("no trailers: %d, want 4", got)
	}
}
