package proxy

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"strconv"
	"testing"
)

// rawBackend answers every request on a connection with a fixed small
// response, so benchmarks and allocation tests measure the proxy, not
// net/http.
func rawBackend(tb testing.TB, body string) string {
	return rawResponseBackend(tb, []byte("HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(len(body))+"\r\nContent-Type: text/plain\r\n\r\n"+body))
}

// rawResponseBackend is rawBackend with the whole response given.
func rawResponseBackend(tb testing.TB, resp []byte) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				br := bufio.NewReader(c)
				for {
					// Requests are GETs without bodies: read up to the empty line.
					for {
						line, err := br.ReadSlice('\n')
						if err != nil {
							return
						}
						if len(line) <= 2 {
							break
						}
					}
					if _, err := c.Write(resp); err != nil {
						return
					}
				}
			}()
		}
	}()
	return ln.Addr().String()
}

func benchmarkKeepAlive(b *testing.B, body string, tune ...func(*Config)) {
	cfg := keepAliveCfg(rawBackend(b, body))
	for _, f := range tune {
		f(cfg)
	}
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
	req := []byte("GET /bench HTTP/1.1\r\nHost: bench\r\nUser-Agent: wrk\r\n\r\n")
	want := len("HTTP/1.1 200 OK\r\ncontent-length: ") + len(strconv.Itoa(len(body))) + len("\r\ncontent-type: text/plain\r\n\r\n") + len(body)
	buf := make([]byte, want+1024)
	b.ReportAllocs()
	b.SetBytes(int64(want))
	for b.Loop() {
		if _, err := c.Write(req); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf[:want]); err != nil {
			b.Fatal(err)
		}
	}
	if !bytes.HasSuffix(buf[:want], []byte(body)) {
		b.Fatalf("unexpected response %q", buf[:want])
	}
}

// BenchmarkHTTPKeepAlive is one client, keep-alive both sides, small
// responses: the per-request cost of the HTTP path (allocs/op included).
func BenchmarkHTTPKeepAlive(b *testing.B) { benchmarkKeepAlive(b, "hello world\n") }

// BenchmarkHTTPKeepAlive100K exercises the spliced body path.
func BenchmarkHTTPKeepAlive100K(b *testing.B) {
	benchmarkKeepAlive(b, string(bytes.Repeat([]byte("x"), 100*1024)))
}
