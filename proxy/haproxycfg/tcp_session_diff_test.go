package haproxycfg

import (
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
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
	web := webs3(t)[0]
	const head = `global
    log LOG local0
defaults
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`
	req := "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	for _, tc := range []struct {
		name, mode, rules string
		logs              int
	}{
		{"reject-tcp", "tcp", "tcp-request session reject if { src 127.0.0.1 }", 0},
		{"reject-http", "http", "tcp-request session reject if { src 127.0.0.1 }", 0},
		{"accept-first", "http", "tcp-request session accept if { src 127.0.0.1 }\n    tcp-request session reject", 1},
		{"accept-first-tcp", "tcp", "tcp-request session accept\n    tcp-request session reject", 1},
		{"unless", "http", "tcp-request session reject unless { src 127.0.0.2 }", 0},
		{"after-connection-accept", "http", "tcp-request connection accept\n    tcp-request session reject if { dst_port gt 0 }", 0},
		{"after-var", "tcp", "tcp-request session set-var(sess.x) int(3)\n    tcp-request session reject if { var(sess.x) -m int 3 }", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := head + "frontend fe\n    mode " + tc.mode + "\n    option " + tc.mode + "log\n    bind BIND\n    " + tc.rules +
				"\n    default_backend be\nbackend be\n    mode " + tc.mode + "\n    server s1 " + web + "\n"
			sock := filepath.Join(t.TempDir(), "stats.sock")
			ha, goha, haLog, goLog, px := startBothLoggedStats(t, cfg, sock)
			settleProbes(t, sock, px, haLog, goLog)
			base := haproxytest.StatsCmd(t, sock, "show stat")
			want, got := observeBoth(t, ha, goha, req)
			want, got = servedData.ReplaceAllString(want, "data $1"), servedData.ReplaceAllString(got, "data $1")
			t.Logf("client: %s", want)
			if want != got {
				t.Errorf("client\nhaproxy: %s\ngoha:    %s", want, got)
			}
			for range tc.logs {
				if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
					t.Errorf("log\nhaproxy: %s\ngoha:    %s", w, g)
				}
			}
			time.Sleep(100 * time.Millisecond)
			select {
			case l := <-haLog:
				t.Errorf("haproxy logged %s", l)
			case l := <-goLog:
				t.Errorf("goha logged %s", l)
			default:
			}
			compareDropStats(t, base, haproxytest.StatsCmd(t, sock, "show stat"), px)
			if n, want := px.Frontends()[0].Stats.DeniedSess, int64(1-tc.logs); n != want {
				t.Errorf("goha dses %d, want %d", n, want)
			}
		})
	}
}
