package haproxycmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// monitorLogLines runs bin with a monitor-uri frontend, sends two monitor
// requests (a 200, a 503 through monitor fail) and then an ordinary one,
// and returns the traffic lines logged until the ordinary one's, the
// syslog header removed.
func monitorLogLines(t *testing.T, bin string) (lines, resps []string) {
	t.Helper()
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	bind := loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    log-format "%%ST %%HU %%b/%%s %%tsc"
    monitor-uri /mon
    monitor fail if { hdr(x-down) -m found }
    default_backend be
backend be
    server s1 %s
`, syslog.LocalAddr(), bind, backend), bind)
	for _, r := range []string{
		"GET /mon HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /mon HTTP/1.1\r\nHost: h\r\nX-Down: 1\r\nConnection: close\r\n\r\n",
		"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		resps = append(resps, sendRaw(t, bind, r))
	}
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	readSyslog(syslog, func(l string) bool {
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		if strings.Contains(l, "<BADREQ>") {
			return true // the listen probe
		}
		lines = append(lines, l)
		return !strings.Contains(l, "/last")
	})
	return lines, resps
}

// TestMonitorURINotLoggedMatchesHAProxy: requests for the monitor URI,
// answered 200 or 503, leave no log line; the next request logs as
// usual; the answers are HAProxy 2.6's.
func TestMonitorURINotLoggedMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want, wantR := monitorLogLines(t, hp)
	got, gotR := monitorLogLines(t, gohaproxy)
	if len(want) != 1 || !strings.Contains(want[0], "/last") {
		t.Fatalf("haproxy logged %q", want)
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("log lines:\n haproxy   %q\n gohaproxy %q", want, got)
	}
	if strings.Join(wantR, "\n") != strings.Join(gotR, "\n") {
		t.Errorf("responses:\n haproxy   %q\n gohaproxy %q", wantR, gotR)
	}
}
