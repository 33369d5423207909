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

// sdLines runs three frontends with log-format-sd (plain text with
// %-variables, +Q/+E options and a %[...] sample; an RFC 3164 target
// beside the RFC 5424 one) and returns their syslog lines, timestamps and
// pids masked, sorted.
func sdLines(t *testing.T, bin string) []string {
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	binds := []string{loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)}
	cfg := fmt.Sprintf(`global
    log %[1]s format rfc5424 local0
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe1
    bind %[2]s
    log-format "%%ST %%HU"
    log-format-sd "[exampleSDID@1234 path=\"%%HU\" st=%%{+Q}ST]"
    default_backend be
frontend fe2
    bind %[3]s
    log-format "%%ST %%[str(m)] %%HU"
    log-format-sd "%%{+Q,+E}o[a@1 x=%%[str(ab]),upper] y=%%HU]"
    default_backend be
frontend fe3
    bind %[4]s
    log %[1]s format raw local0
    option httplog
    log-format-sd "[a@1 x=\"y\"]"
    default_backend be
backend be
    server s1 %[5]s
`, syslog.LocalAddr(), binds[0], binds[1], binds[2], backend)
	startWithConfig(t, bin, cfg, binds...)
	for _, b := range binds {
		sendRaw(t, b, "GET /a\"]\\ HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	mask := regexp.MustCompile(`^(<\d+>1) \S+ (\S+ \S+) \d+ `)
	mask3164 := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d (\S+)\[\d+\]: `)
	httplog := regexp.MustCompile(`127\.0\.0\.1:\d+ \[[^]]+\](.*) \d+/\d+/\d+/\d+/\d+ (.*) \d+/\d+/`)
	var lines []string
	readSyslog(syslog, func(l string) bool {
		l = strings.TrimSuffix(l, "\n")
		if strings.Contains(l, "<BADREQ>") {
			return true // the listen probes
		}
		l = mask.ReplaceAllString(l, "$1 TIME $2 PID ")
		l = mask3164.ReplaceAllString(l, "${1}DATE $2[PID]: ")
		lines = append(lines, httplog.ReplaceAllString(l, "CLIENT [DATE]$1 T/T/T/T/T $2 AC/FC/"))
		return len(lines) < 4
	})
	sort.Strings(lines)
	return lines
}

// TestLogFormatSDMatchHAProxy: log-format-sd puts its structured data in
// the RFC 5424 header (a raw target of the same frontend prints
// none), formatted as HAProxy 2.6 formats it.
func TestLogFormatSDMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want := sdLines(t, hp)
	got := sdLines(t, gohaproxy)
	if len(want) != 4 || !strings.Contains(strings.Join(want, "\n"), ` - [exampleSDID@1234 path="/a#22]\" st=200] 200 `) {
		t.Fatalf("haproxy logged %q", want)
	}
	for i := range want {
		t.Logf("haproxy: %s", want[i])
		if i >= len(got) || want[i] != got[i] {
			t.Errorf("gohaproxy lines:\n%s", strings.Join(got, "\n"))
			break
		}
	}
}
