package h2

import (
	"bytes"
	"math/rand/v2"
	"strconv"
	"testing"

	"golang.org/x/net/http2/hpack"
)

func TestOnlyIndexed(t *testing.T) {
	for _, tc := range []struct {
		block []byte
		n     int
		want  bool
	}{
		{nil, 0, true},
		{[]byte{0x88}, 1, true},
		{[]byte{0x88, 0xbe}, 2, true},
		{[]byte{0x88, 0xbe}, 1, false},
		{[]byte{0x88, 0xbe}, 3, false},
		{[]byte{0xff, 0x00}, 1, true},                        // index 127
		{[]byte{0xff, 0x81, 0x01}, 1, true},                  // index 256
		{[]byte{0xff, 0x81, 0x01, 0x88}, 2, true},            // and a second one
		{[]byte{0xff, 0x81}, 1, false},                       // cut inside the integer
		{[]byte{0x88, 0x40, 0x01, 'a', 0x01, 'b'}, 2, false}, // a literal with indexing
		{[]byte{0x20, 0x88}, 1, false},                       // a table size update first
		{[]byte{0x0f, 0x01, 0x01, 'x'}, 1, false},            // literal without indexing
	} {
		if got := onlyIndexed(tc.block, tc.n); got != tc.want {
			t.Errorf("onlyIndexed(% x, %d) = %v, want %v", tc.block, tc.n, got, tc.want)
		}
	}
}

// A connection's header blocks are, byte for byte, what a plain encoder
// fed the same sections writes, whether or not its last block was
// reused: repeated sections, sections that change one value, sensitive
// fields, trailers (no :status), table size changes between them, and
// a table small enough to evict.
func TestHeaderBlockMatchesEncoder(t *testing.T) {
	pool := []Field{
		{Name: "content-type", Value: "text/html"},
		{Name: "content-length", Value: "12"},
		{Name: "server", Value: "nginx/1.22.1"},
		{Name: "date", Value: "Sun, 06 Dec 2026 21:00:00 GMT"},
		{Name: "etag", Value: `"6935a0c0-c"`},
		{Name: "x-big", Value: string(bytes.Repeat([]byte("v"), 300))},
		{Name: "set-cookie", Value: "a=b", Sensitive: true},
	}
	statuses := []int{200, 200, 200, 404, 0, 304}
	for seed := uint64(1); seed <= 20; seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		c := NewConn(nil, Options{})
		var ref bytes.Buffer
		renc := hpack.NewEncoder(&ref)
		dec := hpack.NewDecoder(4096, nil)
		var fields []Field
		reused := 0
		for step := range 400 {
			switch rng.IntN(10) {
			case 0: // a new section
				fields = fields[:0]
				for k := rng.IntN(len(pool) + 1); k > 0; k-- {
					fields = append(fields, pool[rng.IntN(len(pool))])
				}
			case 1: // one value changes
				if len(fields) > 0 {
					fields[rng.IntN(len(fields))].Value = strconv.Itoa(rng.IntN(3))
				}
			case 2: // the client's table size
				if rng.IntN(4) == 0 {
					v := uint32(rng.IntN(3)) * 256
					c.setEncoderTableLimit(v)
					renc.SetMaxDynamicTableSizeLimit(v)
				}
			}
			status := statuses[rng.IntN(len(statuses))]
			if c.hcache.lookup(status, fields) != nil {
				reused++
			}
			got := c.headerBlock(status, fields)
			ref.Reset()
			if status > 0 {
				renc.WriteField(Field{Name: ":status", Value: statusValue(status)})
			}
			for _, f := range fields {
				renc.WriteField(f)
			}
			if !bytes.Equal(got, ref.Bytes()) {
				t.Fatalf("seed %d step %d: block % x, the encoder wrote % x", seed, step, got, ref.Bytes())
			}
			if _, err := dec.DecodeFull(got); err != nil {
				t.Fatalf("seed %d step %d: %v", seed, step, err)
			}
		}
		if reused == 0 {
			t.Errorf("seed %d: no block was reused", seed)
		}
	}
}

// BenchmarkHeaderBlock encodes nginx's response fields again and again,
// as a connection does for a run of responses of one file; "encoder" is
// the same without the reuse.
func BenchmarkHeaderBlock(b *testing.B) {
	fields := []Field{
		{Name: "server", Value: "nginx/1.22.1"}, {Name: "date", Value: "Sun, 06 Dec 2026 21:00:00 GMT"},
		{Name: "content-type", Value: "text/html"}, {Name: "content-length", Value: "12"},
		{Name: "last-modified", Value: "Sun, 06 Dec 2026 20:00:00 GMT"}, {Name: "etag", Value: `"6935a0c0-c"`},
		{Name: "accept-ranges", Value: "bytes"},
	}
	b.Run("reused", func(b *testing.B) {
		c := NewConn(nil, Options{})
		for b.Loop() {
			c.headerBlock(200, fields)
		}
	})
	b.Run("encoder", func(b *testing.B) {
		c := NewConn(nil, Options{})
		for b.Loop() {
			c.hcache.forget()
			c.headerBlock(200, fields)
		}
	})
}
