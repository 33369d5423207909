package proxy

import (
	"bufio"
	"io"
	"net"
	"runtime"
	"strconv"
	"testing"
)

// rawBackendT is rawBackend for a test: a fixed small response per request.
func rawBackendT(t *testing.T, body string) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	resp := []byte("HTTP/1.1 200 OK\r\nContent-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body)
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

// A kept-alive transaction allocates nothing once the session is warm (the
// garbage collector is a cost per request otherwise): the whole process is
// measured, so the bound allows for stray background allocations.
func TestKeepAliveTransactionDoesNotAllocate(t *testing.T) {
	if raceBuild {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	_, addr := startProxy(t, keepAliveCfg(rawBackendT(t, "hello\n")))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /same/target HTTP/1.1\r\nHost: x\r\n\r\n")
	want := len("HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhello\n")
	buf := make([]byte, want)
	do := func() {
		if _, err := c.Write(req); err != nil {
			t.Fatal(err)
		}
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatal(err)
		}
	}
	for range 100 {
		do()
	}
	if string(buf) != "HTTP/1.1 200 OK\r\ncontent-length: 6\r\n\r\nhello\n" {
		t.Fatalf("response %q", buf)
	}
	const n = 2000
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	for range n {
		do()
	}
	runtime.ReadMemStats(&m1)
	per := float64(m1.Mallocs-m0.Mallocs) / n
	t.Logf("%.3f allocations per request", per)
	if per > 0.2 {
		t.Fatal("a kept-alive transaction allocates")
	}
}
