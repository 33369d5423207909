package http1

import "testing"

// nginx's answer to the bench's small GET, as gohaproxy receives it.
var nginxHead = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Wed, 25 Nov 2026 10:46:53 GMT\r\nContent-Type: text/html\r\nContent-Length: 8\r\nLast-Modified: Wed, 25 Nov 2026 10:31:00 GMT\r\nConnection: keep-alive\r\nETag: \"6925a0e4-8\"\r\nAccept-Ranges: bytes\r\n\r\nserver1\n")

func BenchmarkParseNginxResponse(b *testing.B) {
	var r Response
	b.ReportAllocs()
	b.SetBytes(int64(len(nginxHead)))
	for b.Loop() {
		if err := r.Parse(nginxHead); err != nil {
			b.Fatal(err)
		}
	}
}
