package haproxycfg

import (
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy/internal/difftest"
)

// TestRetryOnDifferential: `retry-on` (none, conn-failure, and in mode
// tcp a condition HAProxy ignores there) with `retries 1`, against a
// server that refuses connections and, with option redispatch, a second
// one that answers, beside HAProxy 2.6: what the client gets and the log
// line (its retries count, "+1" after a redispatch, and termination
// state).
func TestRetryOnDifferential(t *testing.T) {
	t.Parallel()
	dead := loopback.DeadAddr(t)
	live := loopback.StartWeb(t, "live").Addr
	const be = "backend be\n    balance first\n    retries 1\n"
	cases := []struct{ name, head, backend, req string }{
		{"http default", httpLogHead, be + "    server s1 DEAD\n", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"http retry-on none", httpLogHead, be + "    retry-on none\n    server s1 DEAD\n", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"http retry-on conn-failure", httpLogHead, be + "    retry-on conn-failure\n    server s1 DEAD\n", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"http redispatch, conn-failure", httpLogHead, be + "    option redispatch\n    retry-on conn-failure\n    server s1 DEAD\n    server s2 LIVE\n",
			"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"http redispatch, retry-on none", httpLogHead, be + "    option redispatch\n    retry-on none\n    server s1 DEAD\n    server s2 LIVE\n",
			"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"},
		{"tcp default", tcpLogHead, be + "    server s1 DEAD\n", "x"},
		{"tcp retry-on none", tcpLogHead, be + "    retry-on none\n    server s1 DEAD\n", "x"},
		{"tcp retry-on empty-response (ignored in tcp)", tcpLogHead, be + "    retry-on empty-response\n    server s1 DEAD\n", "x"},
		{"tcp redispatch, conn-failure", tcpLogHead, be + "    option redispatch\n    retry-on conn-failure\n    server s1 DEAD\n    server s2 LIVE\n",
			"GET / HTTP/1.0\r\n\r\n"},
	}
	for _, tc := range cases {
		cfg := tc.head + "frontend fe\n    bind BIND\n    default_backend be\n" + strings.NewReplacer("DEAD", dead, "LIVE", live).Replace(tc.backend)
		requireRuns(t, strings.ReplaceAll(strings.ReplaceAll(cfg, "BIND", "127.0.0.1:1"), "LOG", "127.0.0.1:1"))
		ha, goha, haLog, goLog := startBothLogged(t, cfg)
		want, got := bothAtOnce(ha, goha, func(addr string) string {
			out, err := difftest.Exchange(addr, []byte(tc.req), 3*time.Second)
			if err != nil {
				return "error: " + err.Error()
			}
			return loopbackPorts.ReplaceAllString(string(out), "127.0.0.1:P") // the web server echoes the client's address
		})
		if want != got {
			t.Errorf("%s: client\nhaproxy %q\ngoha    %q", tc.name, want, got)
		}
		t.Logf("%s: %.60q", tc.name, want)
		lines := sameLogLines(t, tc.name, haLog, goLog, 1)
		t.Logf("%s: %s", tc.name, lines)
	}
}
