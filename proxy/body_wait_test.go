package proxy

import (
	"net/netip"
	"testing"

	"github.com/goha-lb/goha/proxy/http1"
)

// The body the fetches see: content-length bodies cut at their length,
// chunked bodies without framing, extensions or trailers (as HAProxy 2.6
// reported them in TestBodyFetchDifferential).
func TestRequestInfoBody(t *testing.T) {
	for _, c := range []struct {
		head, body   string
		want         string
		size         int64
		whole        bool
		bufferedData int64
	}{
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\n", "abcdef", "abc", 3, true, 3},
		{"POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", "abc", "abc", 10, false, 3},
		{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "5\r\nuser=\r\n3\r\nbob\r\n0\r\n\r\n", "user=bob", 8, true, 8},
		{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "4;ext=1\r\nb=zz\r\n0\r\nx-t: 1\r\n\r\n", "b=zz", 4, true, 4},
		{"POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", "c\r\nuser=bob1234\r\n2\r\nz", "user=bob1234z", 13, false, 13},
		{"GET / HTTP/1.1\r\nHost: h\r\n\r\n", "", "", 0, true, 0},
	} {
		raw := []byte(c.head + c.body)
		var req http1.Request
		if err := req.Parse(raw); err != nil {
			t.Fatalf("%q: %v", c.head, err)
		}
		data, whole, bad := bufferedBody(&req, raw[req.HeadLen:])
		if bad || whole != c.whole || data != c.bufferedData {
			t.Errorf("%q: bufferedBody = %d, %v, %v; want %d, %v", c.body, data, whole, bad, c.bufferedData, c.whole)
		}
		s := &session{p: &Proxy{lim: defaultBufLimits}, txn: &txn{req: req}, buf: raw, end: len(raw)}
		s.info = *NewRequestInfo(netip.AddrPort{}, &s.req)
		s.noteBody()
		b, ok := s.info.Body()
		n, _ := s.info.BodySize()
		if !ok || string(b) != c.want || n != c.size {
			t.Errorf("%q: Body = %q, %v, size %d; want %q, size %d", c.body, b, ok, n, c.want, c.size)
		}
	}
}
