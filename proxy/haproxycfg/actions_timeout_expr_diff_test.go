package haproxycfg

import (
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
	"time"
)

// TestSetTimeoutExprDifferential: http-request set-timeout server <expr>
// reads the expression's value as milliseconds. Measured on HAProxy
// 2.6.12 and compared here: a value above the server's 300 ms delay lets
// the response through, one below it gets the 504 (sH line); no value
// (an empty header) leaves the backend's 150 ms; a string is cast as
// HAProxy casts it ("120ms" is 120, "abc" is 0); 0 is the unset timeout,
// which the backend's replaces; a negative value times out at once; a
// value beyond 32 bits is cut to its low 32 (2^32+1000 is 1000: a full
// 700 ms above the delay, so a loaded machine cannot turn it into a 504,
// while a clamp would show 2147483647). cur_server_timeout shows
// each, before and after the response. (The requests keep the
// connection: HAProxy adds "connection: close" to a 504 page answering
// a "Connection: close" request, which goha does not do yet.)
func TestSetTimeoutExprDifferential(t *testing.T) {
	t.Parallel()
	origin := serveHTTP(t, func(rw http.ResponseWriter, r *http.Request) {
		time.Sleep(300 * time.Millisecond)
		rw.Header().Set("Date", "fixed")
		io.WriteString(rw, "done\n")
	})
	cfg := `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 150ms
listen fe
    bind BIND
    http-request set-timeout server req.hdr(x-t)
    http-request set-timeout server req.hdr(x-t2),mul(2) if { req.hdr(x-t2) -m found }
    http-response set-header x-st %[cur_server_timeout]
    http-after-response set-header x-st2 %[cur_server_timeout]
    server w1 ` + origin + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, c := range []struct {
		hdr  string
		fast bool // the 504 comes at once
	}{
		{hdr: "x-t: 1000\r\n"}, {hdr: "x-t: 0\r\n"},
		{hdr: "x-t: -5\r\n", fast: true}, {hdr: "x-t: abc\r\n"}, {hdr: "x-t:\r\n"},
		{hdr: "x-t: 120ms\r\n"}, {hdr: "x-t: 4294968296\r\n"}, {hdr: "x-t: 1000\r\nx-t2: 50\r\n"},
	} {
		raw := "GET /x HTTP/1.1\r\nHost: h\r\n" + c.hdr + "\r\n"
		var want, got []byte
		var wantEnd, gotEnd string
		var wantTook, gotTook time.Duration
		var wg sync.WaitGroup
		wg.Add(2)
		go func() {
			defer wg.Done()
			start := time.Now()
			want, wantEnd = exchangeFrom(t, "", ha, raw, 400*time.Millisecond)
			wantTook = time.Since(start)
		}()
		go func() {
			defer wg.Done()
			start := time.Now()
			got, gotEnd = exchangeFrom(t, "", goha, raw, 400*time.Millisecond)
			gotTook = time.Since(start)
		}()
		wg.Wait()
		if !bytes.Equal(want, got) || wantEnd != gotEnd {
			t.Errorf("%q\nhaproxy (%s):\n%q\ngoha (%s):\n%q", c.hdr, wantEnd, want, gotEnd, got)
		}
		sameLoggedLines(t, fmt.Sprintf("%q", c.hdr), haLog, goLog, 0)
		// 400 ms of the exchange is the idle read that ends it. A 504
		// "at once" answers before the backend's 150 ms timeout could:
		// a slow round (a loaded machine) is timed again, up to 3 times.
		if c.fast && (wantTook > 500*time.Millisecond || gotTook > 500*time.Millisecond) {
			for name, addr := range map[string]string{"haproxy": ha, "goha": goha} {
				if took, ok := firstByteWithin(addr, raw, 140*time.Millisecond, 3); !ok {
					t.Errorf("%q: the 504 took %v in %s (best of 3); want at once", c.hdr, took, name)
				}
			}
			drainLines(haLog, 300*time.Millisecond)
			drainLines(goLog, 50*time.Millisecond)
		}
	}
}

// firstByteWithin sends raw to addr up to tries times, each on a new
// connection, until the first byte of the answer comes within limit; it
// returns the best time to the first byte and whether it was within.
func firstByteWithin(addr, raw string, limit time.Duration, tries int) (best time.Duration, ok bool) {
	best = time.Hour
	for range tries {
		c, err := net.DialTimeout("tcp", addr, 2*time.Second)
		if err != nil {
			continue
		}
		start := time.Now()
		c.Write([]byte(raw))
		c.SetReadDeadline(time.Now().Add(2 * time.Second))
		n, _ := c.Read(make([]byte, 1))
		took := time.Since(start)
		c.Close()
		if n == 1 && took < best {
			best = took
		}
		if best <= limit {
			return best, true
		}
	}
	return best, false
}
