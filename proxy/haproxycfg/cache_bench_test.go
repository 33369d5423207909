package haproxycfg

import (
	"bytes"
	"io"
	"net"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// BenchmarkCacheHitKeepAlive is one request on a kept-alive connection
// answered from the cache (a 3-byte body), against
// BenchmarkCacheMissKeepAlive, the same request relayed from the server
// with the cache rules in place (the response is not cacheable): their
// difference is what a hit saves. cpu-ns/op is the process's CPU time per
// request, client and server included.
func BenchmarkCacheHitKeepAlive(b *testing.B) { benchmarkCache(b, "Cache-Control: max-age=3600\r\n") }

// BenchmarkCacheMissKeepAlive: see BenchmarkCacheHitKeepAlive.
func BenchmarkCacheMissKeepAlive(b *testing.B) { benchmarkCache(b, "Cache-Control: no-store\r\n") }

func benchmarkCache(b *testing.B, cc string) {
	web := startAnswering(b, []byte("HTTP/1.1 200 OK\r\n"+cc+"Content-Length: 3\r\n\r\nok\n"))
	fe := loopback.FreeAddr(b)
	cfg := "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n    timeout server 30s\n" +
		"frontend fe\n    bind " + fe + "\n    http-request cache-use c\n    http-response cache-store c\n    default_backend servers\n" +
		"backend servers\n    server web1 " + web + "\ncache c\n    total-max-size 4\n    max-age 3600\n"
	gohaRun(b, cfg, false, nil)
	c, err := net.Dial("tcp", fe)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	req := []byte("GET /bench/x.css?a=1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n")
	buf := make([]byte, 4096)
	var n int
	for range 2 { // the second answer is a hit when the response is cacheable
		c.Write(req)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if n, err = c.Read(buf); err != nil || !bytes.HasSuffix(buf[:n], []byte("ok\n")) {
			b.Fatalf("response %q %v", buf[:n], err)
		}
	}
	c.SetReadDeadline(time.Time{})
	buf = buf[:n] // "age: 0" as long as the run lasts under 10 s
	b.ReportAllocs()
	cpu0 := processCPU()
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(processCPU()-cpu0)/float64(b.N), "cpu-ns/op")
}
