package peers

import (
	"bytes"
	"math"
	"testing"
)

// The boundaries are those of peers-v2.0.txt and of PEER_ENC_*BYTES_MIN in
// src/peers.c: each is the first value needing one more byte.
func TestVarintBoundaries(t *testing.T) {
	cases := []struct {
		v   uint64
		enc []byte
	}{
		{0, []byte{0x00}},
		{239, []byte{0xef}},
		{240, []byte{0xf0, 0x00}},
		{241, []byte{0xf1, 0x00}},
		{255, []byte{0xff, 0x00}},
		{256, []byte{0xf0, 0x01}},
		{2287, []byte{0xff, 0x7f}},
		{2288, []byte{0xf0, 0x80, 0x00}},
		{264431, []byte{0xff, 0xff, 0x7f}},
		{264432, []byte{0xf0, 0x80, 0x80, 0x00}},
		{33818863, []byte{0xff, 0xff, 0xff, 0x7f}},
		{33818864, []byte{0xf0, 0x80, 0x80, 0x80, 0x00}},
		{4328786159, []byte{0xff, 0xff, 0xff, 0xff, 0x7f}},
		{4328786160, []byte{0xf0, 0x80, 0x80, 0x80, 0x80, 0x00}},
	}
	for _, c := range cases {
		got := AppendVarint(nil, c.v)
		if !bytes.Equal(got, c.enc) {
			t.Errorf("AppendVarint(%d) = % x, want % x", c.v, got, c.enc)
		}
		if n := VarintLen(c.v); n != len(c.enc) {
			t.Errorf("VarintLen(%d) = %d, want %d", c.v, n, len(c.enc))
		}
		v, n, err := ReadVarint(append(append([]byte{}, c.enc...), 0x55))
		if err != nil || v != c.v || n != len(c.enc) {
			t.Errorf("ReadVarint(% x) = %d, %d, %v", c.enc, v, n, err)
		}
	}
}

func TestVarintRoundTrip(t *testing.T) {
	for _, v := range []uint64{1 << 32, 1<<53 + 7, 1161999626690365679, 1161999626690365680, math.MaxUint64, math.MaxUint64 - 1} {
		b := AppendVarint(nil, v)
		if len(b) > MaxVarintLen {
			t.Fatalf("%d encodes in %d bytes", v, len(b))
		}
		got, n, err := ReadVarint(b)
		if err != nil || got != v || n != len(b) {
			t.Errorf("round trip %d: % x -> %d, %d, %v", v, b, got, n, err)
		}
	}
}

func TestVarintMalformed(t *testing.T) {
	for _, b := range [][]byte{nil, {0xf0}, {0xf3, 0x80}, {0xff, 0xff, 0xff}} {
		if _, _, err := ReadVarint(b); err != ErrTruncated {
			t.Errorf("ReadVarint(% x) err = %v, want truncated", b, err)
		}
	}
	long := []byte{0xf0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}
	if _, _, err := ReadVarint(long); err == nil {
		t.Errorf("11-byte varint accepted")
	}
}
