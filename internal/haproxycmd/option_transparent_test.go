package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// optionTransparentRun runs bin with `option transparent` backends
// without servers fed by set-dst/set-dst-port (as TPROXY would hand the
// original destination), and returns what the web server saw and the log
// lines.
func optionTransparentRun(t *testing.T, bin string) (answers, lines []string) {
	t.Helper()
	syslog := loopback.ListenUDP(t)
	web := recordPeers(t)
	_, wport, _ := net.SplitHostPort(web.addr)
	fe := loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %[1]s local2
defaults
    log global
    option dontlognull
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fh
    mode http
    log-format "%%HP %%b/%%s %%ST %%tsc"
    bind %[2]s
    http-request set-dst ipv4(127.0.0.1)
    http-request set-dst-port int(%[3]s)
    http-request set-dst-port int(1) if { path /dead }
    use_backend bsrc if { path /src }
    use_backend bdead if { path /dead }
    use_backend bold if { path /old }
    default_backend bt
backend bt
    mode http
    option transparent
backend bsrc
    mode http
    option transparent
    source 127.0.0.5
backend bdead
    mode http
    option transparent
backend bold
    mode http
    transparent
`, syslog.LocalAddr(), fe, wport), fe)
	for _, path := range []string{"/plain", "/src", "/dead", "/old"} {
		c, err := net.Dial("tcp", fe)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", path)
		b, _ := io.ReadAll(c)
		c.Close()
		head, body, _ := strings.Cut(string(b), "\r\n\r\n")
		if h, _, err := net.SplitHostPort(body); err == nil {
			body = h
		} else {
			body = "-"
		}
		answers = append(answers, path+" "+strings.SplitN(head, "\r\n", 2)[0]+" "+body)
		// this request's line before the next request: a line is logged
		// after the close the client saw, and a loaded machine may log
		// it after the next request's
		line := "(no log line for " + path + ")"
		readSyslog(syslog, func(l string) bool {
			if l = syslogBody.ReplaceAllString(strings.TrimSpace(l), ""); strings.HasPrefix(l, "/") {
				line = l
				return false
			}
			return true
		})
		lines = append(lines, line)
	}
	return answers, lines
}

// TestOptionTransparentMatchesHAProxy: a backend with `option
// transparent` and no server connects to the client's destination (what
// set-dst and set-dst-port make it here, TPROXY's original destination in
// production), from its `source` when it has one, and logs <NOSRV>; a
// destination that refuses is a 503; the old `transparent` statement is
// the same. Compared with HAProxy 2.6.
func TestOptionTransparentMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	wa, wl := optionTransparentRun(t, hp)
	ga, gl := optionTransparentRun(t, gohaproxy)
	diffLines(t, "answers", wa, ga)
	diffLines(t, "log lines", wl, gl)
	if len(gl) != 4 || gl[1] != "/src bsrc/<NOSRV> 200 ----" || ga[1] != "/src HTTP/1.1 200 OK 127.0.0.5" {
		t.Errorf("goha: %q %q", ga, gl)
	}
}
