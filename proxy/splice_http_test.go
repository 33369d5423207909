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

// Without a splice option an HTTP response body is copied, as in HAProxy,
// so the frontend's bytes-out counter follows a long body while it flows:
// here the server sends part of a large body and stalls, and the counter
// already holds what the client received. (A spliced run would count only
// at its end, after `timeout server`.) With splice-response the same body
// still arrives whole.
func TestResponseBodyCopiedWithoutSpliceOption(t *testing.T) {
	const sent, total = 400 << 10, 4 << 20
	for _, tc := range []struct {
		name     string
		splice   SpliceOptions
		nosplice bool
		counted  bool // bytes out must follow the stalled body
	}{
		{"no option", SpliceOptions{}, false, true},
		{"nosplice", SpliceOptions{Response: true, Auto: true}, true, true},
		{"splice-response", SpliceOptions{Response: true}, false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			release := make(chan struct{})
			go func() {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				defer c.Close()
				if _, err := http.ReadRequest(bufio.NewReader(c)); err != nil {
					return
				}
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: "+strconv.Itoa(total)+"\r\n\r\n")
				c.Write(pattern(sent, 7))
				select { // stall until the test has looked at the counter
				case <-release:
				case <-time.After(10 * time.Second):
				}
				c.Write(pattern(total-sent, 8))
			}()
			cfg := keepAliveCfg(ln.Addr().String())
			cfg.NoSplice = tc.nosplice
			cfg.Backends[0].Splice = tc.splice
			p, addr := startProxy(t, cfg)
			c, err := net.Dial("tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
			br := bufio.NewReader(c)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := io.ReadFull(resp.Body, make([]byte, sent)); err != nil {
				t.Fatalf("first %d body bytes: %v", sent, err)
			}
			if tc.counted {
				var out int64
				for i := 0; i < 200; i++ {
					if out = p.Frontends()[0].Stats.BytesOut; out >= sent {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				if out < sent {
					t.Errorf("bytes out %d while the body stalls after %d bytes: not counted as relayed", out, sent)
				}
			}
			close(release)
			rest, err := io.ReadAll(io.LimitReader(resp.Body, total))
			if err != nil || len(rest) != total-sent {
				t.Fatalf("rest of the body: %d bytes, %v", len(rest), err)
			}
		})
	}
}
