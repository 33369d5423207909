package haproxycmd

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// hostLines logs one request to four targets (default format,
// rfc3164, local, rfc5424; one facility each) with the global line
// extra, and returns the lines, dates and pids masked, sorted.
func hostLines(t *testing.T, bin, extra string) []string {
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	bind := loopback.FreeAddr(t)
	a := syslog.LocalAddr()
	cfg := fmt.Sprintf(`global
    log %[1]s local0
    log %[1]s format rfc3164 local1
    log %[1]s format local local2
    log %[1]s format rfc5424 local3
    %[2]s
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %[3]s
    log-format "%%HU %%ST"
    default_backend be
backend be
    server s1 %[4]s
`, a, extra, bind, backend)
	startWithConfig(t, bin, cfg, bind)
	sendRaw(t, bind, "GET /h HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	date3164 := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d `)
	date5424 := regexp.MustCompile(`^(<\d+>1) \S+ `)
	pid := regexp.MustCompile(`\[\d+\]: | \d+ - - `)
	var lines []string
	readSyslog(syslog, func(l string) bool {
		if !strings.Contains(l, "/h 200") {
			return true // the listen probe
		}
		l = date3164.ReplaceAllString(strings.TrimSuffix(l, "\n"), "${1}DATE ")
		l = date5424.ReplaceAllString(l, "${1} DATE ")
		lines = append(lines, pid.ReplaceAllString(l, "[PID] "))
		return len(lines) < 4
	})
	sort.Strings(lines)
	return lines
}

// TestSyslogHostnameMatchHAProxy: the host field of each syslog format,
// with and without log-send-hostname, as HAProxy 2.6 writes it: the
// default RFC 3164 header has one only with log-send-hostname, `format
// rfc3164` always ("localhost" without), `format local` never, RFC 5424
// "-" without.
func TestSyslogHostnameMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	for _, extra := range []string{"", "log-send-hostname goha-test-host"} {
		want := hostLines(t, hp, extra)
		got := hostLines(t, gohaproxy, extra)
		if len(want) != 4 {
			t.Fatalf("haproxy logged %q", want)
		}
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("[%s]\nhaproxy:\n%s\ngohaproxy:\n%s", extra, strings.Join(want, "\n"), strings.Join(got, "\n"))
		}
	}
}
