//go:build !race

// (sync.Pool drops items at random under the race detector: allocation
// counts mean nothing there.)

package acl

import "testing"

// TestAllocsPerFormat: a log-format value appended to a buffer with room
// allocates nothing, whatever its samples' types (the header rules'
// path: an integer or an address is written as text, never made a
// string first).
func TestAllocsPerFormat(t *testing.T) {
	r := request(t, "GET /Api/v1?q=1 HTTP/1.1\r\nHost: example.com\r\nX-A: 1\r\nX-A: 2\r\n\r\n")
	for _, text := range []string{
		"%[src]", "%[path,crc32]", "%[req.hdr_cnt(x-a)]", "%[req.hdr(host),lower]",
		"x-%[path,lower]-%[src]-%[method]", "%[req.hdr(x-a),length]", "%[hdr(nothere)]", "%[req.hdr(host),upper]",
	} {
		f, err := CompileAppendFormat(text)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		buf := make([]byte, 0, 256)
		n := testing.AllocsPerRun(200, func() { buf = f(buf[:0], r) })
		t.Logf("%-40s %q %v allocs", text, buf, n)
		if n > 0 {
			t.Errorf("%s: %v allocs per append", text, n)
		}
	}
}
