package hashfn

import "testing"

// Check values: the CRC-32 check value, the definitions on one or two
// bytes, and bytes >= 0x80 read unsigned as HAProxy 2.6.12 does (djb2 of
// "é" measured with the converter: 5866513).
func TestHashes(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(string) uint32
		in   string
		want uint32
	}{
		{"crc32", CRC32, "123456789", 0xcbf43926},
		{"djb2 empty", DJB2, "", 5381},
		{"djb2", DJB2, "a", 5381*33 + 'a'},
		{"djb2 unsigned", DJB2, "é", 5866513},
		{"sdbm empty", SDBM, "", 0},
		{"sdbm", SDBM, "ab", 'b' + ('a' << 6) + ('a' << 16) - 'a'},
		{"sdbm unsigned", SDBM, "\xff", 0xff},
		{"wt6 empty", WT6, "", 0xa53c965a ^ 0x5ca6953a},
	} {
		if got := tc.f(tc.in); got != tc.want {
			t.Errorf("%s(%q) = %#x, want %#x", tc.name, tc.in, got, tc.want)
		}
	}
	if FullHash(0) == FullHash(1) || FullHash(1) == 1 {
		t.Error("FullHash does not mix")
	}
}

// SDBMFrom continues a hash: the hash of a concatenation from its parts.
func TestSDBMFrom(t *testing.T) {
	if got, want := SDBMFrom(SDBM("example.com"), "/a/b"), SDBM("example.com/a/b"); got != want {
		t.Errorf("SDBMFrom = %#x, want %#x", got, want)
	}
}
