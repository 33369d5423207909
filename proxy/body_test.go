package proxy

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strconv"
	"testing"
	"time"
)

// Response bodies of every size class go through whole and in order over
// one kept-alive client connection, and the server connection is reused:
// without a splice option every remainder (past what came with the head)
// is copied, with splice-response every remainder is spliced, and
// `nosplice` overrides the option.
func TestResponseBodyPaths(t *testing.T) {
	sizes := []int{100, bufSize - 10, bufSize + 10, bodySpliceMin + defaultBufLimits.headLimit, 3 * bufSize, 300 << 10}
	for _, tc := range []struct {
		name     string
		nosplice bool
		splice   SpliceOptions
	}{
		{"default", false, SpliceOptions{}},
		{"nosplice", true, SpliceOptions{Response: true}},
		{"splice-response", false, SpliceOptions{Response: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			be := startBackend(t, func(w http.ResponseWriter, r *http.Request) {
				n, _ := strconv.Atoi(r.URL.Query().Get("n"))
				w.Header().Set("Content-Length", strconv.Itoa(n))
				w.Write(pattern(n, byte(n)))
			})
			cfg := keepAliveCfg(be.addr)
			cfg.NoSplice = tc.nosplice
			cfg.Backends[0].Splice = tc.splice
			p, addr := startProxy(t, cfg)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			var total int64
			for _, n := range sizes {
				io.WriteString(c, "GET /?n="+strconv.Itoa(n)+" HTTP/1.1\r\nHost: x\r\n\r\n")
				resp, body := readResponse(t, br, "GET")
				if resp.StatusCode != 200 || body != string(pattern(n, byte(n))) {
					t.Fatalf("size %d: status %d, got %d bytes", n, resp.StatusCode, len(body))
				}
				total += int64(n)
			}
			if got := be.conns.Load(); got != 1 {
				t.Fatalf("backend saw %d connections, want 1 (reused after every body)", got)
			}
			// Counted once written: the client may read the end first.
			for i := 0; i < 200 && p.Frontends()[0].Stats.BytesOut < total; i++ {
				time.Sleep(5 * time.Millisecond)
			}
			if out := p.Frontends()[0].Stats.BytesOut; out < total {
				t.Fatalf("bytes out %d, less than the %d body bytes", out, total)
			}
		})
	}
}

// A body delimited by the server closing (HTTP/1.0 style) is relayed to
// the end, and the client connection is closed after it.
func TestResponseBodyUntilClose(t *testing.T) {
	body := pattern(100<<10, 9)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		br := bufio.NewReader(c)
		if _, err := http.ReadRequest(br); err != nil {
			return
		}
		io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Type: x\r\n\r\n")
		c.Write(body)
	}()
	_, addr := startProxy(t, keepAliveCfg(ln.Addr().String()))
	got := rawExchange(t, addr, "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 5e9)
	i := len(got) - len(body)
	if i < 0 || got[i:] != string(body) {
		t.Fatalf("got %d bytes, want a head then the %d-byte body", len(got), len(body))
	}
}
