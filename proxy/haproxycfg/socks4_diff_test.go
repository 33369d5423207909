package haproxycfg

import (
	"bufio"
	"fmt"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/socks4test"
)

// TestSocks4MatchesHAProxy: `server ... socks4 <addr>:<port>` beside
// HAProxy 2.6, through a SOCKS4 proxy run by the test that records each
// request and answers as told: granted (then relaying to the server,
// which reads the PROXY header send-proxy puts after the handshake),
// refused (91), closed before answering, silent past timeout connect.
// Compared: the requests the proxy received (every attempt, retries
// included), the client's answers, and the log lines with the
// termination state, bc_err and bc_dst (the server's address, not the
// proxy's).
func TestSocks4MatchesHAProxy(t *testing.T) {
	t.Parallel()
	web := startProxyHeaderWeb(t)
	socks := socks4test.Start(t, "grant")
	_, port, _ := net.SplitHostPort(web)
	p, _ := strconv.Atoi(port)
	wantReq := fmt.Sprintf("0401%04x7f000001%x00", p, "HAProxy")
	ha, goha, haLog, goLog := startBothLogged(t, `global
    log LOG local0
defaults
    mode http
    log global
    log-format "%ST %ts %[bc_err] [%[bc_err_str]] bc_dst=%[bc_dst] port=%[bc_dst_port] %rc"
    retries 1
    timeout connect 1s
    timeout client 3s
    timeout server 3s
frontend fe
    bind BIND
    default_backend b
backend b
    server s1 `+web+` socks4 `+socks.Addr+` send-proxy
`)
	for _, c := range []struct {
		mode     string
		attempts int // per daemon
	}{{"grant", 1}, {"refuse", 2}, {"close", 2}, {"silent", 2}} {
		socks.Set(c.mode)
		raw := "GET /" + c.mode + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		sameAnswer(t, c.mode, ha, goha, raw, 5*time.Second)
		lines := sameLogLines(t, c.mode, haLog, goLog, 1)
		reqs := socks.Take()
		if len(reqs) != 2*c.attempts {
			t.Errorf("%s: the SOCKS4 proxy got %d requests, want %d (%d from each daemon); haproxy logged %q", c.mode, len(reqs), 2*c.attempts, c.attempts, lines)
		}
		for _, r := range reqs {
			if r != wantReq {
				t.Errorf("%s: SOCKS4 request %s, want %s (HAProxy's)", c.mode, r, wantReq)
			}
		}
	}
}

// startProxyHeaderWeb is a server that reads a PROXY v1 line and a
// request head and answers with the line's protocol and addresses
// (ports left out: they differ between the daemons) and the request
// line.
func startProxyHeaderWeb(t *testing.T) string {
	ln := loopback.Listen(t)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				c.SetReadDeadline(time.Now().Add(5 * time.Second))
				br := bufio.NewReader(c)
				pp, _ := br.ReadString('\n')
				reqLine, _ := br.ReadString('\n')
				for {
					l, err := br.ReadString('\n')
					if err != nil || l == "\r\n" {
						break
					}
				}
				f := strings.Fields(pp)
				if len(f) > 4 {
					f = f[:4]
				}
				body := strings.Join(f, " ") + " | " + strings.TrimSpace(reqLine)
				fmt.Fprintf(c, "HTTP/1.1 200 OK\r\ncontent-length: %d\r\nconnection: close\r\n\r\n%s", len(body), body)
			}(c)
		}
	}()
	return ln.Addr().String()
}
