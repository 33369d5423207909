package haproxycfg

import (
	"net"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/net/http2"
)

// TestCloseSpreadH2MatchesHAProxy: with close-spread-time 2s, ten idle
// HTTP/2 connections (one request done on each) get their GOAWAY after
// the soft stop, all within the window (bounds for a loaded machine:
// 3.5 s) and not all at once (the first and the last at least 0.5 s
// apart); with `infinite` none gets one in the 1.5 s after the stop.
// HAProxy 2.6 and goha alike.
func TestCloseSpreadH2MatchesHAProxy(t *testing.T) {
	t.Parallel()
	web := closeSpreadWeb(t)
	for _, spread := range []string{"2s", "infinite"} {
		cfg := strings.NewReplacer("SPREAD", spread, "KA", "20s", "WEB", web, "bind FE", "bind FE proto h2").Replace(closeSpreadConfig)
		for _, p := range startStoppables(t, cfg) {
			const n = 10
			var conns []net.Conn
			var frs []*http2.Framer
			for range n {
				c, fr := h2Idle(t, p.addr)
				defer c.Close()
				conns, frs = append(conns, c), append(frs, fr)
			}
			t0 := time.Now()
			p.stop()
			goaways := make([]time.Duration, n)
			var wg sync.WaitGroup
			for i, fr := range frs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					conns[i].SetReadDeadline(t0.Add(map[bool]time.Duration{true: 1500 * time.Millisecond, false: 4 * time.Second}[spread == "infinite"]))
					goaways[i] = -1
					for {
						f, err := fr.ReadFrame()
						if err != nil {
							return
						}
						if _, ok := f.(*http2.GoAwayFrame); ok {
							goaways[i] = time.Since(t0)
							return
						}
					}
				}()
			}
			wg.Wait()
			for _, c := range conns {
				c.Close() // the stop then ends
			}
			if err := p.wait(); err != nil {
				t.Errorf("%s: %v", p.name, err)
			}
			sort.Slice(goaways, func(i, j int) bool { return goaways[i] < goaways[j] })
			t.Logf("%s, %s: GOAWAYs at %v", spread, p.name, goaways)
			if spread == "infinite" {
				if goaways[n-1] != -1 {
					t.Errorf("%s, %s: a GOAWAY at %v", spread, p.name, goaways[n-1])
				}
				continue
			}
			if goaways[0] < 0 || goaways[n-1] > 3500*time.Millisecond {
				t.Errorf("%s, %s: GOAWAYs at %v, want all within the window", spread, p.name, goaways)
			}
			if goaways[n-1]-goaways[0] < 500*time.Millisecond {
				t.Errorf("%s, %s: the GOAWAYs came all at once (%v)", spread, p.name, goaways)
			}
		}
	}
}

// h2Idle opens an HTTP/2 connection (h2c, prior knowledge) and completes
// one request on it.
func h2Idle(t *testing.T, addr string) (net.Conn, *http2.Framer) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(3 * time.Second))
	fr := h2Start(c)
	fr.WriteHeaders(http2.HeadersFrameParam{StreamID: 1, EndStream: true, EndHeaders: true,
		BlockFragment: h2Block(":method", "GET", ":scheme", "http", ":path", "/", ":authority", "x")})
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			t.Fatalf("first request: %v", err)
		}
		if d, ok := f.(*http2.DataFrame); ok && d.StreamEnded() {
			return c, fr
		}
	}
}
