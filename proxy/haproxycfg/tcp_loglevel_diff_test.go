package haproxycfg

import (
	"net"
	"strings"
	"testing"
	"time"
)

// TestTCPSetLogLevelDifferential: tcp-request content and tcp-response
// content set-log-level, in tcp and http mode, beside HAProxy 2.6: the
// line's syslog priority, or no line at all for silent, a later rule
// overriding an earlier one.
func TestTCPSetLogLevelDifferential(t *testing.T) {
	t.Parallel()
	web := webs3(t)[0]
	for _, tc := range []frontendRuleCase{
		{"content", "tcp", "tcp-request content set-log-level err", 1},
		{"content-silent", "tcp", "tcp-request content set-log-level silent if { src 127.0.0.1 }", 0},
		{"content-unmatched", "tcp", "tcp-request content set-log-level silent if { src 127.0.0.2 }", 1},
		{"response", "tcp", "tcp-response content set-log-level warning", 1},
		{"response-silent", "tcp", "tcp-response content set-log-level silent", 0},
		{"override", "tcp", "tcp-request content set-log-level silent\n    tcp-response content set-log-level debug", 1},
		{"http-content", "http", "tcp-request content set-log-level notice", 1},
		{"http-response", "http", "tcp-response content set-log-level silent", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := loggedHead + modeSection("listen", tc.mode, tc.rules, web)
			ha, goha, haLog, goLog := startBothLogged(t, cfg)
			for _, addr := range []string{ha, goha} {
				exchangeOnce(t, addr)
			}
			sameLogLines(t, tc.name, haLog, goLog, tc.logs)
			noMoreLines(t, haLog, goLog, 200*time.Millisecond)
		})
	}
}

// exchangeOnce sends one HTTP request to addr, reads the answer and
// closes the connection.
func exchangeOnce(t *testing.T, addr string) {
	t.Helper()
	exchangeKept(t, addr).Close()
}

// exchangeKept sends one HTTP request to addr, reads the answer (a 200,
// or the test ends) and returns the connection, still open.
func exchangeKept(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	c.Write([]byte("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	buf := make([]byte, 4096)
	if n, err := c.Read(buf); err != nil || !strings.HasPrefix(string(buf[:n]), "HTTP/1.1 200") {
		c.Close()
		t.Fatalf("%s: %q %v", addr, buf[:n], err)
	}
	return c
}
