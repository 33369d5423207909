package http1

import "testing"

// FuzzRequest checks the parser never panics, never reports a head longer
// than its input, and agrees with itself when the same bytes arrive with
// more data behind them.
func FuzzRequest(f *testing.F) {
	for _, s := range []string{
		"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET / HTTP/1.1\r\nX: a\r\n b\r\n\r\n",
		"GET / HTTP/1.0\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n\r\n",
		"POST / HTTP/1.1\r\nContent-Length: 3, 3\r\nExpect: 100-continue\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Request
		buf := append([]byte(nil), in...)
		err := r.Parse(buf)
		if err == nil {
			if r.HeadLen <= 0 || r.HeadLen > len(in) {
				t.Fatalf("HeadLen %d of %d", r.HeadLen, len(in))
			}
			if r.Chunked && r.ContentLength >= 0 {
				t.Fatal("both chunked and content-length")
			}
			var r2 Request
			more := append(append([]byte(nil), in...), "GET / HTTP/1.1\r\n\r\n"...)
			if err := r2.Parse(more); err != nil || r2.HeadLen != r.HeadLen {
				t.Fatalf("with trailing data: err %v headlen %d vs %d", err, r2.HeadLen, r.HeadLen)
			}
		}
		var d Dechunker
		out, n, err := d.Reframe(nil, in)
		if n > len(in) {
			t.Fatalf("scanned %d of %d", n, len(in))
		}
		if err == nil && d.Done() {
			// What leaves is strict CRLF chunked framing of the same
			// body, and parses as itself.
			var again Dechunker
			out2, m, err := again.Reframe(nil, out)
			if err != nil || m != len(out) || !again.Done() || string(out2) != string(out) {
				t.Fatalf("re-framed %q does not round-trip: %q %v", out, out2, err)
			}
		}
	})
}

// FuzzResponse checks the response parser on arbitrary server bytes.
func FuzzResponse(f *testing.F) {
	for _, s := range []string{
		"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok",
		"HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n",
		"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\nContent-Length: 4\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Response
		if err := r.Parse(append([]byte(nil), in...)); err == nil {
			if r.HeadLen <= 0 || r.HeadLen > len(in) || r.Status < 100 || r.Status > 999 {
				t.Fatalf("headlen %d status %d", r.HeadLen, r.Status)
			}
			if r.Chunked && r.ContentLength >= 0 {
				t.Fatal("both chunked and content-length")
			}
		}
	})
}
