package proxy

import (
	"bufio"
	"bytes"
	"net"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// benchmarkH2 drives b.N GET streams over one h2c connection, `window`
// of them in flight at a time, through the proxy to a kept-alive
// loopback backend: the per-stream cost of the HTTP/2 path (a stream
// is an op; allocs/op included). The client is a bare framer so the
// numbers are the proxy's.
func benchmarkH2(b *testing.B, window int, backend string) {
	cfg := keepAliveCfg(backend)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	defer p.Shutdown(b.Context())
	c, err := net.Dial("tcp", p.Addrs()[0].String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	fr := http2.NewFramer(c, bufio.NewReader(c))
	c.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/bench"}, {":authority", "bench"}, {"user-agent", "h2load"}} {
		enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	block := bytes.Clone(hb.Bytes()) // all indexed after the first: sent as is each time
	hb.Reset()
	for _, kv := range [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/bench"}, {":authority", "bench"}, {"user-agent", "h2load"}} {
		enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	again := bytes.Clone(hb.Bytes())
	id := uint32(1)
	open := func() {
		blk := again
		if id == 1 {
			blk = block
		}
		if err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: blk, EndStream: true, EndHeaders: true}); err != nil {
			b.Fatal(err)
		}
		id += 2
	}
	b.ReportAllocs()
	sent, done, credit := 0, 0, 0
	n := b.N
	b.ResetTimer()
	cpu0, user0, io0 := cpuTime(), userTime(), ioCalls()
	for ; sent < window && sent < n; sent++ {
		open()
	}
	for done < n {
		f, err := fr.ReadFrame()
		if err != nil {
			b.Fatal(err)
		}
		switch f := f.(type) {
		case *http2.DataFrame:
			if credit += len(f.Data()); credit > 32768 {
				fr.WriteWindowUpdate(0, uint32(credit)) // the connection window
				credit = 0
			}
			if f.StreamEnded() {
				done++
				if sent < n {
					open()
					sent++
				}
			}
		case *http2.HeadersFrame:
			if f.StreamEnded() {
				b.Fatalf("stream %d ended without a body", f.StreamID)
			}
		case *http2.RSTStreamFrame:
			b.Fatalf("stream %d reset: %v", f.StreamID, f.ErrCode)
		case *http2.GoAwayFrame:
			b.Fatalf("GOAWAY %v", f.ErrCode)
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		}
	}
	// CPU time says more than ns/op on a shared machine (it includes
	// the client and the backend, both in this process).
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
	// User time alone: what goha's code changes, without the loopback
	// stack's time (the system calls are level with HAProxy's).
	b.ReportMetric(float64(userTime()-user0)/float64(n), "user-ns/op")
	b.ReportMetric(float64(ioCalls()-io0)/float64(n), "rw-calls/op")
}

// ioCalls counts the process's read and write system calls so far
// (/proc/self/io syscr + syscw, which count read(2) and write(2); 0
// where it cannot be read) and the proxy's recvfrom and sendto calls
// (rawCalls).
func ioCalls() int64 {
	raw, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	n := rawCalls.Load()
	for _, line := range strings.Split(string(raw), "\n") {
		if v, ok := strings.CutPrefix(line, "syscr: "); ok {
			k, _ := strconv.ParseInt(v, 10, 64)
			n += k
		} else if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			k, _ := strconv.ParseInt(v, 10, 64)
			n += k
		}
	}
	return n
}

// cpuTime is the process's user and system CPU time in nanoseconds.
func cpuTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// userTime is the process's user CPU time in nanoseconds.
func userTime() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Utime.Nano()
}

// BenchmarkH2Streams: 32 streams in flight on one connection (h2load -m32).
func BenchmarkH2Streams(b *testing.B) { benchmarkH2(b, 32, rawBackend(b, "hello world\n")) }

// BenchmarkH2StreamsNginx: BenchmarkH2Streams with the response head of
// the nginx backends of make bench (eight fields, connection among them).
func BenchmarkH2StreamsNginx(b *testing.B) { benchmarkH2(b, 32, rawResponseBackend(b, nginxResponse)) }

// BenchmarkH2Serial: one stream at a time, the latency path.
func BenchmarkH2Serial(b *testing.B) { benchmarkH2(b, 1, rawBackend(b, "hello world\n")) }

// nginxResponse is the answer of nginx 1.22 for a small static file.
var nginxResponse = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:00 GMT\r\n" +
	"Content-Type: text/html\r\nContent-Length: 12\r\nLast-Modified: Sun, 06 Dec 2026 20:00:00 GMT\r\n" +
	"Connection: keep-alive\r\nETag: \"6935a0c0-c\"\r\nAccept-Ranges: bytes\r\n\r\nhello world\n")
