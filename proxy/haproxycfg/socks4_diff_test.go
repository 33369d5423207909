package haproxycfg

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
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
	socks := startSocks4(t)
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
    server s1 `+web+` socks4 `+socks.addr+` send-proxy
`)
	for _, c := range []struct {
		mode     string
		attempts int // per daemon
	}{{"grant", 1}, {"refuse", 2}, {"close", 2}, {"silent", 2}} {
		socks.set(c.mode)
		raw := "GET /" + c.mode + " HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
		sameAnswer(t, c.mode, ha, goha, raw, 5*time.Second)
		lines := sameLogLines(t, c.mode, haLog, goLog, 1)
		reqs := socks.take()
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

// socks4Proxy is the test's SOCKS4 proxy.
type socks4Proxy struct {
	addr string
	mu   sync.Mutex
	mode string
	reqs []string // each request, hex
}

func startSocks4(t *testing.T) *socks4Proxy {
	ln := loopback.Listen(t)
	s := &socks4Proxy{addr: ln.Addr().String(), mode: "grant"}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go s.serve(c)
		}
	}()
	return s
}

func (s *socks4Proxy) set(mode string) { s.mu.Lock(); s.mode = mode; s.mu.Unlock() }

// take returns the requests received so far and forgets them.
func (s *socks4Proxy) take() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.reqs
	s.reqs = nil
	return r
}

// serve reads a request (8 bytes, then a user id up to its NUL) and
// answers it as the mode says.
func (s *socks4Proxy) serve(c net.Conn) {
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	br := bufio.NewReader(c)
	head := make([]byte, 8)
	if _, err := io.ReadFull(br, head); err != nil {
		return
	}
	user, err := br.ReadBytes(0)
	if err != nil {
		return
	}
	s.mu.Lock()
	mode := s.mode
	s.reqs = append(s.reqs, fmt.Sprintf("%x%x", head, user))
	s.mu.Unlock()
	switch mode {
	case "refuse":
		c.Write([]byte{0, 91, 0, 0, 0, 0, 0, 0})
		return
	case "close":
		return
	case "silent":
		time.Sleep(2 * time.Second)
		return
	}
	srv, err := net.Dial("tcp", net.JoinHostPort(net.IP(head[4:8]).String(), strconv.Itoa(int(head[2])<<8|int(head[3]))))
	if err != nil {
		return
	}
	defer srv.Close()
	c.SetReadDeadline(time.Time{})
	c.Write([]byte{0, 90, head[2], head[3], head[4], head[5], head[6], head[7]})
	go io.Copy(srv, br)
	io.Copy(c, srv)
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
