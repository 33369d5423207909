package proxy

import (
	"io"
	"net"
	"runtime"
	"testing"
)

// A kept-alive transaction allocates nothing once the session is warm (the
// garbage collector is a cost per request otherwise): the whole process is
// measured, so the bound allows for stray background allocations.
func TestKeepAliveTransactionDoesNotAllocate(t *testing.T) {
	if raceBuild {
		t.Skip("allocation counts are not meaningful under the race detector")
	}
	_, addr := startProxy(t, keepAliveCfg(rawBackend(t, "hello\n")))
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	req := []byte("GET /same/target HTTP/1.1\r\nHost: x\r\n\r\n")
	const want = "HTTP/1.1 200 OK\r\ncontent-length: 6\r\ncontent-type: text/plain\r\n\r\nhello\n"
	buf := make([]byte, len(want))
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
	if string(buf) != want {
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
