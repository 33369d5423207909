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

// logHeaders runs bin with a global log-tag and log-send-hostname and a
// frontend with its own log-tag, sends one GET to each frontend and
// returns the syslog headers of the two traffic lines (date and pid
// masked), sorted.
func logHeaders(t *testing.T, bin string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "server1")
	syslog := loopback.ListenUDP(t)
	aBind, bBind := loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
    log-tag gtag
    log-send-hostname lbhost
defaults
    mode http
    log global
    option httplog
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend tagged
    bind %s
    log-tag ftag
    default_backend ok
frontend plain
    bind %s
    default_backend ok
backend ok
    server web %s
`, syslog.LocalAddr(), aBind, bBind, web.Addr), aBind, bBind)
	loopback.Get(t, aBind)
	loopback.Get(t, bBind)
	// Only the two GETs' lines: the listen probes (connect, close) may log
	// a <BADREQ> line each, in any order with them.
	header := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d (\S+ \S+)\[\d+\]: .* (tagged|plain) .*"GET / HTTP/1\.1"`)
	var out []string
	readSyslog(syslog, func(l string) bool {
		if m := header.FindStringSubmatch(l); m != nil {
			out = append(out, m[1]+"DATE "+m[2]+"[PID]: "+m[3])
		}
		return len(out) < 2
	})
	sort.Strings(out)
	return out
}

// log-tag (global and per proxy) and log-send-hostname shape the syslog
// header as in HAProxy 2.6 (compared with the real haproxy when present).
func TestLogTagAndHostname(t *testing.T) {
	want := []string{"<150>DATE lbhost ftag[PID]: tagged", "<150>DATE lbhost gtag[PID]: plain"}
	got := logHeaders(t, gohaproxy)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("gohaproxy headers %q, want %q", got, want)
	}
	if hp, ok := testenv.Optional(t, "haproxy"); ok {
		if real := logHeaders(t, hp); strings.Join(real, "\n") != strings.Join(want, "\n") {
			t.Errorf("haproxy headers %q, want %q", real, want)
		}
	}
}
