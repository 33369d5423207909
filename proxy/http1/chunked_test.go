package http1

import (
	"bytes"
	"testing"
)

func TestChunkScanner(t *testing.T) {
	tests := []struct {
		in   string
		n    int // body bytes; -1 = error
		done bool
	}{
		{"3\r\nabc\r\n0\r\n\r\n", 13, true},
		{"3;a=b\r\nabc\r\n0\r\nX-T: 1\r\n\r\nNEXT", 25, true},
		{"A\r\n0123456789\r\n0\r\n\r\n", 20, true},
		{"3\nabc\n0\n\n", 9, true},
		{"3\r\nab", 5, false},
		{"zz\r\nabc\r\n0\r\n\r\n", -1, false},
		{"ffffffffffffffffff\r\n", -1, false},
		{"3\r\nabcX\r\n", -1, false},
		{"\r\n", -1, false},
	}
	for _, tt := range tests {
		var s ChunkScanner
		n, err := s.Scan([]byte(tt.in))
		if tt.n < 0 {
			if err == nil {
				t.Errorf("%q: no error", tt.in)
			}
			continue
		}
		if err != nil || n != tt.n || s.Done() != tt.done {
			t.Errorf("%q: n=%d done=%v err=%v, want %d %v", tt.in, n, s.Done(), err, tt.n, tt.done)
		}
	}
}

// Feeding byte by byte must reach the same end as feeding at once.
func TestChunkScannerSplit(t *testing.T) {
	in := []byte("5;x\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nT: v\r\n\r\nrest")
	var s ChunkScanner
	total := 0
	for i := 0; i < len(in) && !s.Done(); i++ {
		n, err := s.Scan(in[i : i+1])
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if !s.Done() || total != len(in)-4 {
		t.Fatalf("done %v total %d", s.Done(), total)
	}
}

func TestAppendChunkRoundTrip(t *testing.T) {
	var b []byte
	b = AppendChunk(b, []byte("hello"))
	b = AppendChunk(b, bytes.Repeat([]byte("x"), 300))
	b = AppendChunk(b, nil)
	b = AppendLastChunk(b)
	if !bytes.HasPrefix(b, []byte("5\r\nhello\r\n12c\r\n")) {
		t.Fatalf("encoding %q", b[:20])
	}
	var s ChunkScanner
	n, err := s.Scan(b)
	if err != nil || n != len(b) || !s.Done() {
		t.Fatalf("n %d err %v", n, err)
	}
}
