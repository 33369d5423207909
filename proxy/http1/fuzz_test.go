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
		"GET /a#\xe9 RTSP/1.0\r\n X y: z\r\n\r\n",
		"GET http://a:80/\r\n",
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
		checkLaxRequest(t, in, err == nil, &r)
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
		"HTTP/1.10 200 OK\r\nX Y: z\r\n\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		var r Response
		err := r.Parse(append([]byte(nil), in...))
		lax := Response{AcceptInvalid: true}
		laxErr := lax.Parse(append([]byte(nil), in...))
		if err == nil && (laxErr != nil || lax.HeadLen != r.HeadLen || lax.Status != r.Status ||
			lax.Minor != r.Minor || string(lax.Version) != string(r.Version) || len(lax.Headers) != len(r.Headers)) {
			t.Fatalf("accept-invalid reads a valid response otherwise: %v", laxErr)
		}
		if laxErr == nil && (lax.HeadLen <= 0 || lax.HeadLen > len(in) || lax.Chunked && lax.ContentLength >= 0) {
			t.Fatalf("lax: headlen %d", lax.HeadLen)
		}
		if err == nil {
			if r.HeadLen <= 0 || r.HeadLen > len(in) || r.Status < 100 || r.Status > 999 {
				t.Fatalf("headlen %d status %d", r.HeadLen, r.Status)
			}
			if r.Chunked && r.ContentLength >= 0 {
				t.Fatal("both chunked and content-length")
			}
		}
	})
}

// checkLaxRequest: accept-invalid-http-request only widens what passes.
// A request the strict parser accepts reads the same with the option,
// and whatever the option lets through is framed sanely and reads the
// same with more data behind it.
func checkLaxRequest(t *testing.T, in []byte, strictOK bool, strict *Request) {
	t.Helper()
	r := Request{AcceptInvalid: true}
	err := r.Parse(append([]byte(nil), in...))
	if strictOK {
		if err != nil || r.HeadLen != strict.HeadLen || string(r.Method) != string(strict.Method) ||
			string(r.Target) != string(strict.Target) || r.Minor != strict.Minor ||
			string(r.Version) != string(strict.Version) || len(r.Headers) != len(strict.Headers) ||
			r.ContentLength != strict.ContentLength || r.Chunked != strict.Chunked {
			t.Fatalf("accept-invalid reads a valid request otherwise: %v", err)
		}
		for i, h := range r.Headers {
			if string(h.Name) != string(strict.Headers[i].Name) || string(h.Value) != string(strict.Headers[i].Value) {
				t.Fatalf("header %d: %q: %q, strict %q: %q", i, h.Name, h.Value, strict.Headers[i].Name, strict.Headers[i].Value)
			}
		}
	}
	if err != nil {
		return
	}
	if r.HeadLen <= 0 || r.HeadLen > len(in) || r.Chunked && r.ContentLength >= 0 {
		t.Fatalf("lax: headlen %d of %d", r.HeadLen, len(in))
	}
	r2 := Request{AcceptInvalid: true}
	more := append(append([]byte(nil), in...), "GET / HTTP/1.1\r\n\r\n"...)
	if err := r2.Parse(more); err != nil || r2.HeadLen != r.HeadLen {
		t.Fatalf("lax, with trailing data: err %v headlen %d vs %d", err, r2.HeadLen, r.HeadLen)
	}
}
