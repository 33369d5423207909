package haproxycfg

import (
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestBeConnLoggedMatchesHAProxy: %bc is HAProxy's beconn, the streams
// the backend holds when the line is written, the logged one left out
// of an end-of-stream line and kept in an early one (logasap). Three
// overlapping requests, answered 0.4 s apart, log 2, 1 and 0 (goha
// logged 0 for each before), in http mode, with logasap, and in tcp mode.
func TestBeConnLoggedMatchesHAProxy(t *testing.T) {
	t.Parallel()
	ln := loopback.Listen(t)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		d, _ := time.ParseDuration(strings.TrimPrefix(r.URL.Path, "/"))
		time.Sleep(d)
		w.Write([]byte("ok"))
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	for _, tc := range []struct{ name, mode, extra string }{
		{"http", "http", ""},
		{"logasap", "http", "    option logasap\n"},
		{"tcp", "tcp", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := `global
    log LOG local0
defaults
    mode ` + tc.mode + `
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
frontend fe
    bind BIND
    log-format "%fc/%bc/%sc %b"
` + tc.extra + `    default_backend be
backend be
    server s1 ` + ln.Addr().String() + `
`
			ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
			for _, addr := range []string{ha, goha} {
				var wg sync.WaitGroup
				for _, d := range []string{"400ms", "800ms", "1200ms"} {
					wg.Add(1)
					go func() {
						defer wg.Done()
						sendAndRead(t, addr, "GET /"+d+" HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
					}()
				}
				wg.Wait()
			}
			sameLoggedLines(t, tc.name, haLog, goLog, 3)
		})
	}
}

// sendAndRead sends raw on a new connection to addr and reads until the
// peer closes (bounded by 5 s).
func sendAndRead(t *testing.T, addr, raw string) {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Error(err)
		return
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	c.Write([]byte(raw))
	buf := make([]byte, 4096)
	for {
		if _, err := c.Read(buf); err != nil {
			return
		}
	}
}
