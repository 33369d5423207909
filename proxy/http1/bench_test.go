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

// BenchmarkParseRulesCaseRequests parses the request of make bench's rules
// case in process (haproxycfg's benchRequest) and the same request with
// the 12 fields the rules add (its sameBytesRequest): what the proxy's
// parse of the longer request costs BenchmarkPlainSameBytesKeepAlive.
func BenchmarkParseRulesCaseRequests(b *testing.B) {
	for _, c := range []struct{ name, req string }{
		{"short", "GET /bench/x.css?a=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n"},
		{"same-bytes", "GET /bench/x.css?a=1 HTTP/1.1\r\nhost: bench\r\nuser-agent: wrk\r\n" +
			"x-backend: servers\r\nx-css: 1\r\nx-query: 1\r\nx-client: 127.0.0.1\r\n" +
			"x-path: /bench/x.css\r\nx-via: goha-bench\r\nx-hops: 0\r\nx-method: GET\r\n" +
			"x-host: bench\r\nx-len: 3\r\nx-seen: 1\r\nx-hash: 2761959149\r\n\r\n"},
	} {
		b.Run(c.name, func(b *testing.B) {
			raw := []byte(c.req)
			var r Request
			for b.Loop() {
				if err := r.Parse(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
