package haproxycfg

import (
	"bytes"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestAbortOnCloseFullBufferDifferential: option abortonclose in tcp
// mode, a client queued behind a busy server (maxconn 1) that sends its
// bytes then a FIN, beside HAProxy 2.6.12. With 10 bytes HAProxy sees the
// FIN and takes the client out of the queue (CQ, %U 10); with 100000 it
// stops reading once its buffer is full, never sees the FIN while it
// waits, and connects and relays once the slot frees (%U 100000, the
// server's answer in %B); goha aborted both. When the busy client keeps
// the slot past timeout queue, HAProxy logs that client sQ with the
// 15360 bytes its buffer took (goha logged SC). The log lines (server,
// state, %U, %sq/%bq) are compared.
func TestAbortOnCloseFullBufferDifferential(t *testing.T) {
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		if n, _ := c.Read(make([]byte, 100)); n == 0 {
			return // a readiness probe
		}
		time.Sleep(time.Second)
		c.Write([]byte("ok"))
		io.Copy(io.Discard, c) // to the client's FIN: no reset
	})
	cfg := `global
    log LOG local0
defaults
    mode tcp
    log global
    timeout connect 1s
    timeout client 4s
    timeout server 4s
    timeout queue 3s
frontend fe
    bind BIND
    log-format "%ft %b/%s %ts %U %B %sq/%bq"
    default_backend be
backend be
    option abortonclose
    server s1 ` + server + ` maxconn 1
`
	ha, goha, haLog, goLog, _, _, _ := startSettled(t, cfg)
	for _, tc := range []struct {
		n     int
		stays bool // the first client keeps the slot past timeout queue
	}{{10, false}, {100000, false}, {100000, true}} {
		n := tc.n
		var lines [2][]string
		for i, addr := range []string{ha, goha} {
			hold := dialClient(t, addr, 4*time.Second)
			if hold == nil {
				return
			}
			hold.Write([]byte("hold"))
			time.Sleep(200 * time.Millisecond)
			if c := dialClient(t, addr, 4*time.Second); c != nil {
				c.Write(bytes.Repeat([]byte("y"), n))
				time.Sleep(300 * time.Millisecond)
				c.Close()
			}
			if tc.stays {
				io.ReadAll(hold) // until the server's deadline
			} else {
				io.ReadFull(hold, make([]byte, 2)) // the server's ok: the slot frees
			}
			hold.Close()
			lines[i] = awaitLines([]chan string{haLog, goLog}[i], 5*time.Second, 2*time.Second)
			slices.Sort(lines[i])
		}
		if !slices.Equal(lines[0], lines[1]) || len(lines[0]) != 2 {
			t.Errorf("%d bytes (slot kept %v): log\nhaproxy %q\ngoha    %q", n, tc.stays, lines[0], lines[1])
		}
	}
}
