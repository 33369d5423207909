package proxy

import (
	"bufio"
	"bytes"
	"fmt"
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
func benchmarkH2(b *testing.B, window int, backend string) { benchmarkH2Conns(b, 1, window, backend) }

// benchmarkH2Conns is benchmarkH2 over conns connections at once, each
// with `window` streams in flight (h2load -c<conns> -m<window>).
func benchmarkH2Conns(b *testing.B, conns, window int, backend string) {
	cfg := keepAliveCfg(backend)
	cfg.Frontends[0].H2 = map[string]bool{"127.0.0.1:0": true}
	cfg.MaxConn = 5000 // scripts/bench-tls.sh's global maxconn (its idle pool bound: idle_cap.go)
	p, err := New(cfg, Options{NewBalancer: newTestBalancer})
	if err != nil {
		b.Fatal(err)
	}
	if err := p.Start(); err != nil {
		b.Fatal(err)
	}
	defer p.Shutdown(b.Context())
	clients := make([]*h2BenchClient, conns)
	for i := range clients {
		c, err := net.Dial("tcp", p.Addrs()[0].String())
		if err != nil {
			b.Fatal(err)
		}
		defer c.Close()
		clients[i] = newH2BenchClient(c)
	}
	b.ReportAllocs()
	n := b.N
	b.ResetTimer()
	cpu0, user0, io0, cs0 := cpuTime(), userTime(), ioCalls(), ctxSwitches()
	errs := make(chan error, conns)
	for i, cl := range clients {
		k := n / conns
		if i < n%conns {
			k++
		}
		go func() { errs <- cl.run(k, window) }()
	}
	for range clients {
		if err := <-errs; err != nil {
			b.Fatal(err)
		}
	}
	// CPU time says more than ns/op on a shared machine (it includes
	// the client and the backend, both in this process).
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(n), "cpu-ns/op")
	// User time alone: what goha's code changes, without the loopback
	// stack's time (the system calls are level with HAProxy's).
	b.ReportMetric(float64(userTime()-user0)/float64(n), "user-ns/op")
	b.ReportMetric(float64(ioCalls()-io0)/float64(n), "rw-calls/op")
	// Context switches of the process's threads (voluntary and not): the
	// Go scheduler's thread sleeps and wake-ups, which the daemon pays
	// more of than HAProxy at 512 streams in flight (README).
	b.ReportMetric(float64(ctxSwitches()-cs0)/float64(n), "ctxsw/op")
}

// ctxSwitches is the process's context switches so far (all threads).
func ctxSwitches() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Nvcsw + ru.Nivcsw
}

// h2BenchClient is one benchmark connection: a bare framer sending the
// same GET, its header block fully indexed after the first.
type h2BenchClient struct {
	fr           *http2.Framer
	block, again []byte
	id           uint32
}

func newH2BenchClient(c net.Conn) *h2BenchClient {
	fr := http2.NewFramer(c, bufio.NewReader(c))
	c.Write([]byte(http2.ClientPreface))
	fr.WriteSettings()
	var hb bytes.Buffer
	enc := hpack.NewEncoder(&hb)
	fields := [][2]string{{":method", "GET"}, {":scheme", "http"}, {":path", "/bench"}, {":authority", "bench"}, {"user-agent", "h2load"}}
	for _, kv := range fields {
		enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	block := bytes.Clone(hb.Bytes()) // all indexed after the first: sent as is each time
	hb.Reset()
	for _, kv := range fields {
		enc.WriteField(hpack.HeaderField{Name: kv[0], Value: kv[1]})
	}
	return &h2BenchClient{fr: fr, block: block, again: bytes.Clone(hb.Bytes()), id: 1}
}

// run sends n streams, window of them in flight, and reads their answers.
func (cl *h2BenchClient) run(n, window int) error {
	fr := cl.fr
	open := func() error {
		blk := cl.again
		if cl.id == 1 {
			blk = cl.block
		}
		err := fr.WriteHeaders(http2.HeadersFrameParam{StreamID: cl.id, BlockFragment: blk, EndStream: true, EndHeaders: true})
		cl.id += 2
		return err
	}
	sent, done, credit := 0, 0, 0
	for ; sent < window && sent < n; sent++ {
		if err := open(); err != nil {
			return err
		}
	}
	for done < n {
		f, err := fr.ReadFrame()
		if err != nil {
			return err
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
					if err := open(); err != nil {
						return err
					}
					sent++
				}
			}
		case *http2.HeadersFrame:
			if f.StreamEnded() {
				return fmt.Errorf("stream %d ended without a body", f.StreamID)
			}
		case *http2.RSTStreamFrame:
			return fmt.Errorf("stream %d reset: %v", f.StreamID, f.ErrCode)
		case *http2.GoAwayFrame:
			return fmt.Errorf("GOAWAY %v", f.ErrCode)
		case *http2.SettingsFrame:
			if !f.IsAck() {
				fr.WriteSettingsAck()
			}
		}
	}
	return nil
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

// BenchmarkH2Conns16Nginx: BenchmarkH2StreamsNginx over 16 connections
// at once, 512 streams in flight (scripts/bench-tls.sh's h2load -c16
// -m32).
func BenchmarkH2Conns16Nginx(b *testing.B) {
	benchmarkH2Conns(b, 16, 32, rawResponseBackend(b, nginxResponse))
}

// BenchmarkH2Serial: one stream at a time, the latency path.
func BenchmarkH2Serial(b *testing.B) { benchmarkH2(b, 1, rawBackend(b, "hello world\n")) }

// nginxResponse is the answer of nginx 1.22 for a small static file.
var nginxResponse = []byte("HTTP/1.1 200 OK\r\nServer: nginx/1.22.1\r\nDate: Sun, 06 Dec 2026 21:00:00 GMT\r\n" +
	"Content-Type: text/html\r\nContent-Length: 12\r\nLast-Modified: Sun, 06 Dec 2026 20:00:00 GMT\r\n" +
	"Connection: keep-alive\r\nETag: \"6935a0c0-c\"\r\nAccept-Ranges: bytes\r\n\r\nhello world\n")
