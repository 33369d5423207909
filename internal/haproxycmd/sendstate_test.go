package haproxycmd

import (
	"bufio"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// stateRecorder is a check server answering its checks with codes in
// turn (the last one from then on) and recording each check request's
// head as it came.
func stateRecorder(t *testing.T, codes []int) (addr string, got func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	ln := loopback.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(2 * time.Second))
				br, head := bufio.NewReader(c), ""
				for {
					line, err := br.ReadString('\n')
					head += line
					if err != nil || line == "\r\n" {
						break
					}
				}
				mu.Lock()
				code := codes[min(len(seen), len(codes)-1)]
				seen = append(seen, head)
				mu.Unlock()
				fmt.Fprintf(c, "HTTP/1.1 %d x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n", code)
			}()
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return ln.Addr().String(), func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

// TestSendStateMatchesHAProxy: `http-check send-state` adds HAProxy's
// X-Haproxy-Server-State header to each HTTP check, byte for byte the
// same as HAProxy 2.6's through a server's life: UP, going down (UP 2/3,
// UP 1/3), DOWN, going up (DOWN 1/2), UP again, with the backend's
// weights (the unchecked active server's and this one's; the backup's
// not counted), address, port and node.
func TestSendStateMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	codes := []int{200, 503, 503, 503, 200, 200, 200}
	for _, checkLines := range []string{
		"option httpchk GET /chk\n",
		// HTTP/1.1 with a header of its own: the state comes after it,
		// before "connection: close"
		"option httpchk\n    http-check send meth HEAD uri /h ver HTTP/1.1 hdr Host example.org\n",
	} {
		cfg := func(rec string) string {
			return `global
    node lb1
defaults
    mode http
    timeout connect 1s
    timeout client 2s
    timeout server 2s
backend b
    ` + checkLines + `    http-check send-state
    server s1 ` + rec + ` check inter 100 weight 7
    server s2 ` + loopback.DeadAddr(t) + ` weight 3
    server b1 ` + loopback.DeadAddr(t) + ` backup weight 5
frontend f
    bind ` + loopback.FreeAddr(t) + `
    default_backend b
`
		}
		haRec, haGot := stateRecorder(t, codes)
		goRec, goGot := stateRecorder(t, codes)
		haproxytest.StartQuiet(t, hp, haproxytest.WriteConfig(t, cfg(haRec)))
		inProcess(t, haproxytest.WriteConfig(t, cfg(goRec)), true)
		deadline := time.Now().Add(5 * time.Second)
		for (len(haGot()) < len(codes) || len(goGot()) < len(codes)) && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		want, got := haGot(), goGot()
		if len(want) < len(codes) || len(got) < len(codes) {
			t.Fatalf("checks seen: haproxy %d, goha %d", len(want), len(got))
		}
		for i := range codes {
			// the recorders' ports differ: compare with the port taken out
			w := strings.Replace(want[i], "port="+haRec[strings.LastIndex(haRec, ":")+1:], "port=P", 1)
			g := strings.Replace(got[i], "port="+goRec[strings.LastIndex(goRec, ":")+1:], "port=P", 1)
			t.Logf("haproxy: %q", w)
			if w != g {
				t.Errorf("check %d:\nhaproxy %q\ngoha    %q", i+1, w, g)
			}
		}
	}
}
