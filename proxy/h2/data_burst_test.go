package h2

import (
	"bytes"
	"slices"
	"testing"

	"golang.org/x/net/http2"
)

// A burst is DATA frames of at most the peer's frame size, in order,
// END_STREAM on the last one only when asked, read back by x/net's
// framer as valid frames.
func TestWriteDataBurst(t *testing.T) {
	p := bytes.Repeat([]byte("0123456789"), 5000) // 50000 bytes: 16384*3 + 848
	for _, end := range []bool{false, true} {
		var out bytes.Buffer
		if err := writeDataBurst(&out, 7, p, 16384, end); err != nil {
			t.Fatal(err)
		}
		fr := http2.NewFramer(nil, &out)
		var got []byte
		var sizes []int
		var ends []bool
		for out.Len() > 0 {
			f, err := fr.ReadFrame()
			if err != nil {
				t.Fatal(err)
			}
			d, ok := f.(*http2.DataFrame)
			if !ok || d.StreamID != 7 {
				t.Fatalf("frame %v", f)
			}
			got = append(got, d.Data()...)
			sizes = append(sizes, len(d.Data()))
			ends = append(ends, d.StreamEnded())
		}
		if !bytes.Equal(got, p) {
			t.Fatalf("end %v: payload differs", end)
		}
		if want := []int{16384, 16384, 16384, 848}; !slices.Equal(sizes, want) {
			t.Errorf("end %v: frame sizes %v, want %v", end, sizes, want)
		}
		if want := []bool{false, false, false, end}; !slices.Equal(ends, want) {
			t.Errorf("END_STREAM flags %v, want %v", ends, want)
		}
	}
}
