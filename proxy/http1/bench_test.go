package http1

import "testing"

var typical = []byte("GET /index.html?q=1 HTTP/1.1\r\nHost: www.example.com\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64)\r\n" +
	"Accept: text/html,application/xhtml+xml\r\nAccept-Language: en-US,en;q=0.5\r\nAccept-Encoding: gzip, deflate\r\n" +
	"Connection: keep-alive\r\nCookie: a=b; c=d\r\n\r\n")

func BenchmarkParseRequest(b *testing.B) {
	var r Request
	b.ReportAllocs()
	b.SetBytes(int64(len(typical)))
	for b.Loop() {
		if err := r.Parse(typical); err != nil {
			b.Fatal(err)
		}
	}
}

func TestParseRequestAllocs(t *testing.T) {
	var r Request
	_ = r.Parse(typical)
	if n := testing.AllocsPerRun(100, func() { _ = r.Parse(typical) }); n != 0 {
		t.Fatalf("%v allocations per parse, want 0", n)
	}
}

func BenchmarkParseResponse(b *testing.B) {
	in := []byte("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 8\r\nDate: Wed, 25 Nov 2026 06:00:00 GMT\r\n\r\n")
	var r Response
	b.ReportAllocs()
	for b.Loop() {
		if err := r.Parse(in); err != nil {
			b.Fatal(err)
		}
	}
}
