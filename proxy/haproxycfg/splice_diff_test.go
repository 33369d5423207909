package haproxycfg

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestSpliceDifferential: option splice-request, splice-response and
// splice-auto (kernel splicing, a speed option whose documented effect
// must not change the bytes), in tcp and http mode, and global nosplice
// over them, beside HAProxy 2.6: 300 kB sent each way through each
// configuration arrive whole at the server and back at the client (the
// digests compared), and the log lines (with their byte counts) match.
func TestSpliceDifferential(t *testing.T) {
	t.Parallel()
	payload := bytes.Repeat([]byte("0123456789abcdef"), 300*1024/16)
	echo := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.Copy(c, c) // until the client's half-close, passed on
	})
	web := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header()["Date"] = nil // no date: the answers compare as bytes
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Header().Set("X-Seen", fmt.Sprintf("%x", sha256.Sum256(b)))
		w.Write(b)
	})
	tcpReq := func(addr string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		go func() {
			c.Write(payload)
			c.(*net.TCPConn).CloseWrite()
		}()
		got, err := io.ReadAll(c)
		return fmt.Sprintf("%d bytes %x err=%v", len(got), sha256.Sum256(got), err)
	}
	httpReq := func(addr string) string {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(5 * time.Second))
		go func() {
			fmt.Fprintf(c, "POST /up HTTP/1.1\r\nHost: h\r\nContent-Length: %d\r\nConnection: close\r\n\r\n", len(payload))
			c.Write(payload)
		}()
		got, err := io.ReadAll(c)
		head, body, _ := bytes.Cut(got, []byte("\r\n\r\n"))
		return fmt.Sprintf("%q %d bytes %x err=%v", head, len(body), sha256.Sum256(body), err)
	}
	const tcpHead = "global\n    log LOG local0\ndefaults\n    mode tcp\n    log global\n    option tcplog\n    timeout connect 2s\n    timeout client 5s\n    timeout server 5s\n"
	cases := []struct{ name, global, options, mode string }{
		{"tcp none", "", "", "tcp"},
		{"tcp splice-request", "", "option splice-request", "tcp"},
		{"tcp splice-response", "", "option splice-response", "tcp"},
		{"tcp splice-request splice-response", "", "option splice-request\n    option splice-response", "tcp"},
		{"tcp splice-auto", "", "option splice-auto", "tcp"},
		{"tcp nosplice", "global\n    nosplice\n", "option splice-request\n    option splice-response", "tcp"},
		{"http none", "", "", "http"},
		{"http splice-request splice-response", "", "option splice-request\n    option splice-response", "http"},
		{"http splice-auto", "", "option splice-auto", "http"},
		{"http nosplice", "global\n    nosplice\n", "option splice-response", "http"},
	}
	for _, tc := range cases {
		head, srv, try := tcpHead, echo, tcpReq
		if tc.mode == "http" {
			head, srv, try = httpLogHead, web, httpReq
		}
		cfg := head + tc.global + "listen li\n    bind BIND\n    " + tc.options + "\n    server s1 " + srv + "\n"
		requireRuns(t, strings.NewReplacer("BIND", "127.0.0.1:1", "LOG", "127.0.0.1:1").Replace(cfg))
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		want, got := bothAtOnce(ha, goha, try)
		if want != got {
			t.Errorf("%s: client\nhaproxy %s\ngoha    %s", tc.name, want, got)
		}
		t.Logf("%s: %.80s", tc.name, want)
		sameLogLines(t, tc.name, haLog, goLog, 1)
	}
}
