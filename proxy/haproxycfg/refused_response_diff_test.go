package haproxycfg

import (
	"bufio"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
)

// TestRefusedResponseLogDifferential: a response head the parser refuses
// (a control byte in a header name, a status that is not digits) is
// logged PH, a proxy-side refusal, and a head the server cut short SH,
// beside HAProxy 2.6: bytes and log lines.
func TestRefusedResponseLogDifferential(t *testing.T) {
	answers := map[string]string{
		"/hdr":    "HTTP/1.1 200 OK\r\nX-B\x01d: 1\r\nContent-Length: 0\r\n\r\n",
		"/status": "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n",
		"/short":  "HTTP/1.1 200 OK\r\nX-A: 1\r\n",
	}
	srv := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		r := bufio.NewReader(c)
		line, err := r.ReadString('\n')
		if err != nil {
			return
		}
		for l := ""; l != "\r\n"; {
			if l, err = r.ReadString('\n'); err != nil {
				return
			}
		}
		io.WriteString(c, answers[strings.Fields(line + " /")[1]])
		if strings.Contains(line, "/short") {
			return // the server closes with its head unfinished
		}
		io.Copy(io.Discard, c)
	})
	cfg := strings.ReplaceAll(httplogFrontend+"    default_backend be\nbackend be\n    server s1 SRV\n", "SRV", srv)
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, c := range []struct{ path, term string }{{"/hdr", " PH-- "}, {"/status", " PH-- "}, {"/short", " SH-- "}} {
		raw := "GET " + c.path + " HTTP/1.1\r\nHost: t\r\n\r\n"
		sameAnswerAtOnce(t, c.path, ha, goha, raw, 300*time.Millisecond)
		if w := sameLogLines(t, c.path, haLog, goLog, 1)[0]; !strings.Contains(w, c.term) {
			t.Errorf("%s: haproxy logged %s, want%s", c.path, w, c.term)
		}
	}
}
