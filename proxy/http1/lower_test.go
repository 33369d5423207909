package http1

import "testing"

// TestLowerInPlace: the folding changes exactly the bytes 'A'..'Z',
// whatever the bytes around them (0x80 and up included), at every place
// of names up to 17 bytes. (A version folding eight bytes at a time was
// faster alone and slower in the head written to the server, where it was
// no longer inlined.)
func TestLowerInPlace(t *testing.T) {
	for n := 1; n <= 17; n++ {
		for at := 0; at < n; at++ {
			for c := 0; c < 256; c++ {
				for _, fill := range []byte{'a', 'Z', 0xc1, 0xdb, '@', '['} {
					b := make([]byte, n)
					for i := range b {
						b[i] = fill
					}
					b[at] = byte(c)
					want := make([]byte, n)
					for i, x := range b {
						if x >= 'A' && x <= 'Z' {
							x += 'a' - 'A'
						}
						want[i] = x
					}
					LowerInPlace(b)
					if string(b) != string(want) {
						t.Fatalf("n %d at %d byte %#x fill %#x: %q, want %q", n, at, c, fill, b, want)
					}
				}
			}
		}
	}
}
