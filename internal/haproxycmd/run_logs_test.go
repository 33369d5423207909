package haproxycmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// trafficLogLines runs bin (haproxy or gohaproxy) on a config with an
// httplog frontend whose only server refuses connections and an `option
// httplog clf` frontend with a live server, sends one GET to each and
// returns the two traffic lines received on a UDP syslog target, the
// syslog header removed.
func trafficLogLines(t *testing.T, bin string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "server1")
	syslog := loopback.ListenUDP(t)
	mainBind, clfBind := loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    retries 1
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
frontend main
    bind %s
    option httplog
    default_backend servers
frontend clf
    bind %s
    option httplog clf
    default_backend ok
backend servers
    server web1 %s
backend ok
    server web2 %s
`, syslog.LocalAddr(), mainBind, clfBind, loopback.DeadAddr(t), web.Addr), mainBind, clfBind)
	if got := loopback.Get(t, mainBind); !strings.HasPrefix(got, "503 ") {
		t.Errorf("%s: dead server answered %q", bin, got)
	}
	if got := loopback.Get(t, clfBind); got != "200 server1" {
		t.Errorf("%s: clf frontend answered %q", bin, got)
	}
	var lines []string
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	readSyslog(syslog, func(l string) bool {
		if strings.Contains(l, "GET / HTTP/1.1") {
			lines = append(lines, header.ReplaceAllString(strings.TrimSuffix(l, "\n"), ""))
		}
		return len(lines) < 2
	})
	// Each line is sent once its response is out, so on a loaded machine
	// the second request's may come first: main's line, then clf's.
	if len(lines) == 2 && strings.Contains(lines[0], `"clf"`) {
		lines[0], lines[1] = lines[1], lines[0]
	}
	return lines
}

// maskLogLine blanks what differs between two runs (ports, dates, timers,
// %ac, byte counts: TestLogBytesMatchHAProxy compares those) and keeps the rest:
// frontend, backend/server, status, termination state, counts, request.
func maskLogLine(l string) string {
	for _, m := range []struct{ re, with string }{
		{`127\.0\.0\.1:\d+`, "127.0.0.1:P"},                                              // httplog client port
		{`\[\d\d/[A-Z][a-z]{2}/\d{4}:[0-9:.]+( \+\d{4})?\]`, "[DATE]"},                   // %tr / %trg
		{` -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ (\d{3}) \d+ `, " T/T/T/T/T $1 B "},              // httplog timers, status, bytes
		{`" (\d{3}) \d+ "" "" \d+ \d+ `, `" $1 B "" "" P MS `},                           // clf: status, bytes, port, ms
		{`" (-?\d+) (-?\d+) (-?\d+) (-?\d+) (-?\d+) (\S{4}) \d+ `, `" T T T T T $6 AC `}, // clf timers, %ac
		// %ac and %fc: HAProxy may still count the test's listen probe
		// (it connects to the first frontend)
		{` (\S{4}) \d+/\d+/(\d+/\d+/\d+) `, ` $1 AC/FC/$2 `},
	} {
		l = regexp.MustCompile(m.re).ReplaceAllString(l, m.with)
	}
	return l
}

// A failed connect names the server in the log line, as HAProxy 2.6 does
// (`main servers/web1 ... 503 ... SC-- ...`), and `option httplog clf`
// logs HAProxy's CLF line: both compared with the real HAProxy's lines on
// the same kind of syslog target.
func TestTrafficLogsMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := trafficLogLines(t, hp)
	got := trafficLogLines(t, gohaproxy)
	if len(want) != 2 || len(got) != 2 {
		t.Fatalf("lines: haproxy %q, gohaproxy %q", want, got)
	}
	for i := range want {
		t.Logf("haproxy   %s\ngohaproxy %s", want[i], got[i])
		if w, g := maskLogLine(want[i]), maskLogLine(got[i]); w != g {
			t.Errorf("line %d:\n haproxy   %s\n gohaproxy %s\n (raw %q / %q)", i, w, g, want[i], got[i])
		}
	}
	if !strings.Contains(got[0], " main servers/web1 ") || !strings.Contains(got[0], " SC-- ") {
		t.Errorf("connect failure line %q", got[0])
	}
}
