package rdpcookie

import (
	"bytes"
	"testing"
)

// FuzzValue: any bytes and name give a status without panicking; a value
// found lies inside the input, ends at a CRLF and holds no CR; a prefix of
// an input whose cookie is found is never No (more bytes may complete it).
func FuzzValue(f *testing.F) {
	f.Add(req("Cookie: mstshash=alice\r\n"), "mstshash")
	f.Add(req("Cookie: msts=16777343.41286.0000\r\n"), "msts")
	f.Add(req("cookie: x=\r\n"), "")
	f.Add([]byte("short"), "")
	f.Fuzz(func(t *testing.T, b []byte, name string) {
		v, st := Value(b, name)
		if st != OK {
			if v != nil {
				t.Fatalf("value %q with status %d", v, st)
			}
			return
		}
		if bytes.IndexByte(v, '\r') >= 0 || !bytes.Contains(b, append(append([]byte{}, v...), '\r', '\n')) {
			t.Fatalf("value %q not followed by CRLF in %q", v, b)
		}
		for n := 0; n < len(b); n++ {
			if _, st := Value(b[:n], name); st == No {
				t.Fatalf("prefix %d of %q refused", n, b)
			}
		}
		Server(v)
	})
}
