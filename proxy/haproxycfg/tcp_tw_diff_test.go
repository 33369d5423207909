package haproxycfg

import (
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestTCPLogTwDifferential: %Tw in option tcplog lines beside HAProxy
// 2.6.12. HAProxy's Tw is t_queue - t_request, and a TCP stream has no
// request time (-1): it logs one more than the milliseconds from the
// accept to the server's assignment, 1 for a connection that waited in
// no queue and for a connect failure (SC), and a queued connection's
// wait plus 1. Three clients 30 ms apart on a server with maxconn 1 that
// holds each connection 300 ms, then one client on a dead port: each
// side's Tw values, sorted, are at least 1 (goha logged 0 before) and
// within 60 ms of HAProxy's. Their %bc and %sq/%bq are the same, line
// by line: the backend's be_conn counts the connections waiting in its
// queue (2, 1, 0; goha counted connected ones only, 0, 0, 0), and %bq
// is a connection's position in the backend's queue, one more than the
// connections dequeued while it waited (0, 1, 2; goha logged the
// queue's length at the end, 2, 1, 0).
func TestTCPLogTwDifferential(t *testing.T) {
	hold := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 16)
		if n, _ := c.Read(b); n > 0 { // a readiness probe sends nothing
			time.Sleep(300 * time.Millisecond)
			c.Write(b[:n])
		}
	})
	for _, tc := range []struct {
		name, server string
		clients      int
	}{
		{"queued", hold + " maxconn 1", 3},
		{"connect-failure", loopback.DeadAddr(t), 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tcpLogHead + "frontend fe\n    bind BIND\n    default_backend be\nbackend be\n    retries 0\n    server s1 " + tc.server + "\n"
			ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
			var tws [2][]int
			var bcs [2][]string // %bc and %sq/%bq, in the lines' order
			for i, addr := range []string{ha, goha} {
				done := make(chan struct{}, tc.clients)
				for range tc.clients {
					go func() {
						defer func() { done <- struct{}{} }()
						if c := dialClient(t, addr, 3*time.Second); c != nil {
							c.Write([]byte("hi"))
							c.Read(make([]byte, 16))
							c.Close()
						}
					}()
					time.Sleep(30 * time.Millisecond)
				}
				for range tc.clients {
					<-done
				}
				for range tc.clients {
					l := rawLine(t, []chan string{haLog, goLog}[i], []string{"haproxy", "goha"}[i])
					tws[i] = append(tws[i], logTw(l))
					if f := strings.Fields(l); len(f) > 9 && strings.Count(f[8], "/") == 4 {
						bcs[i] = append(bcs[i], strings.Split(f[8], "/")[2]+" "+f[9])
					}
					t.Logf("%s", l)
				}
				slices.Sort(tws[i])
			}
			if !slices.Equal(bcs[0], bcs[1]) || len(bcs[0]) != tc.clients {
				t.Errorf("%%bc %%sq/%%bq: haproxy %v, goha %v", bcs[0], bcs[1])
			}
			for k := range tws[0] {
				h, g := tws[0][k], tws[1][k]
				if h < 1 || g < 1 || absDur(time.Duration(h-g)*time.Millisecond) > 60*time.Millisecond {
					t.Errorf("Tw: haproxy %v, goha %v", tws[0], tws[1])
					break
				}
			}
		})
	}
}

// logTw is a tcplog line's %Tw (the first of its timers), -2 if none.
func logTw(line string) int {
	f := strings.Fields(line)
	if len(f) < 6 {
		return -2
	}
	ms, err := strconv.Atoi(strings.Split(f[5], "/")[0])
	if err != nil {
		return -2
	}
	return ms
}
