package haproxycmd

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// errorOnlyLogs runs bin with `option dontlog-normal` and `option
// log-separate-errors`, sends a GET answered 200 and one answered 503 (dead
// server), then a marker request to a plain frontend, and returns
// "<PRI> frontend status" for each traffic line received before the
// marker's.
func errorOnlyLogs(t *testing.T, bin string) []string {
	t.Helper()
	web := loopback.StartWeb(t, "server1")
	syslog := loopback.ListenUDP(t)
	okBind, deadBind, markBind := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    option httplog
    option dontlognull
    retries 1
    timeout connect 200ms
    timeout client 5s
    timeout server 5s
frontend okfe
    bind %s
    option dontlog-normal
    option log-separate-errors
    default_backend ok
frontend deadfe
    bind %s
    option dontlog-normal
    option log-separate-errors
    default_backend dead
frontend mark
    bind %s
    default_backend ok
backend ok
    server web %s
backend dead
    server web %s
`, syslog.LocalAddr(), okBind, deadBind, markBind, web.Addr, loopback.DeadAddr(t)), okBind, deadBind, markBind)
	loopback.Get(t, okBind)
	loopback.Get(t, deadBind)
	line := regexp.MustCompile(`^(<\d+>).* (okfe|deadfe|mark) \S+ \S+ (\d{3}) `)
	var out []string
	// Collect up to deadfe's line (a loaded machine may log it a while
	// after its response), then up to the marker's, sent only then: an
	// okfe line, logged before deadfe's request was even sent, would be
	// in one of the two.
	collect := func(until string) {
		readSyslog(syslog, func(l string) bool {
			m := line.FindStringSubmatch(l)
			if m == nil {
				return true
			}
			if m[2] == "mark" {
				return false
			}
			out = append(out, m[1]+" "+m[2]+" "+m[3])
			return m[2] != until
		})
	}
	collect("deadfe")
	loopback.Get(t, markBind)
	collect("mark")
	return out
}

// option dontlog-normal drops the successful transaction's line and
// log-separate-errors sends the failed one at level err (<147> for
// local2), as HAProxy 2.6 (compared with the real haproxy when present).
func TestDontLogNormalAndSeparateErrors(t *testing.T) {
	want := []string{"<147> deadfe 503"}
	got := errorOnlyLogs(t, gohaproxy)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("gohaproxy lines %q, want %q", got, want)
	}
	if hp, ok := testenv.Optional(t, "haproxy"); ok {
		if real := errorOnlyLogs(t, hp); strings.Join(real, "|") != strings.Join(want, "|") {
			t.Errorf("haproxy lines %q, want %q", real, want)
		}
	}
}
