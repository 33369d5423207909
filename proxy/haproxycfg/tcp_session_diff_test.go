package haproxycfg

import (
	"regexp"
	"testing"
)

// servedData is what silentObserve reports of an answer, less its bytes
// (the web server's Date header): its status line only.
var servedData = regexp.MustCompile(`data "(HTTP/1\.1 \d+)[^"]*"`)

// TestTCPSessionVerdictsDifferential: `tcp-request session accept` and
// `reject` beside HAProxy 2.6, in tcp and http mode: a reject closes the
// connection before a byte is read or sent (a FIN; the request sent
// after it meets a reset), logs nothing, counts a denied session (dses)
// and no session (stot); an accept ends the session rules (a reject after
// it does not run); a tcp-request connection accept does not skip them.
func TestTCPSessionVerdictsDifferential(t *testing.T) {
	t.Parallel()
	web := webs3(t)[0]
	req := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	for _, tc := range []frontendRuleCase{
		{"reject-tcp", "tcp", "tcp-request session reject if { src 127.0.0.1 }", 0},
		{"reject-http", "http", "tcp-request session reject if { src 127.0.0.1 }", 0},
		{"accept-first", "http", "tcp-request session accept if { src 127.0.0.1 }\n    tcp-request session reject", 1},
		{"accept-first-tcp", "tcp", "tcp-request session accept\n    tcp-request session reject", 1},
		{"unless", "http", "tcp-request session reject unless { src 127.0.0.2 }", 0},
		{"after-connection-accept", "http", "tcp-request connection accept\n    tcp-request session reject if { dst_port gt 0 }", 0},
		{"after-var", "tcp", "tcp-request session set-var(sess.x) int(3)\n    tcp-request session reject if { var(sess.x) -m int 3 }", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			px := runFrontendRuleCase(t, web, req, tc, func(s string) string { return servedData.ReplaceAllString(s, "data $1") })
			if n, want := px.Frontends()[0].Stats.DeniedSess, int64(1-tc.logs); n != want {
				t.Errorf("goha dses %d, want %d", n, want)
			}
		})
	}
}
