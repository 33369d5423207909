package haproxycmd

import (
	"net"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy/fcgi"
)

// startStderrApp is a FastCGI application answering each request with
// the STDERR records stderr (one record each, in order), then "ok", then
// a STDERR record "warn late" before END_REQUEST, all in one write.
func startStderrApp(t *testing.T, stderr []string) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return loopback.ServeEach(t, ln, func(c net.Conn) {
		r := fcgi.NewReader(c)
		for {
			h, content, err := r.Next()
			if err != nil {
				return
			}
			if h.Type != fcgi.TypeStdin || len(content) > 0 {
				continue
			}
			var out []byte
			for _, s := range stderr {
				out = fcgi.AppendRecords(out, fcgi.TypeStderr, h.ID, []byte(s))
			}
			out = fcgi.AppendHeader(out, fcgi.TypeStderr, h.ID, 0)
			out = fcgi.AppendRecords(out, fcgi.TypeStdout, h.ID, []byte("Content-Type: text/plain\r\nContent-Length: 2\r\n\r\nok"))
			out = fcgi.AppendHeader(out, fcgi.TypeStdout, h.ID, 0)
			// One more between the end of STDOUT and END_REQUEST.
			out = fcgi.AppendRecords(out, fcgi.TypeStderr, h.ID, []byte("warn late"))
			out = fcgi.AppendEndRequest(out, h.ID, fcgi.EndRequest{})
			c.Write(out)
		}
	})
}

// stderrLines runs cfg (an fcgi-app "php" logging STDERR to the test's
// syslog socket, SYSLOG in cfg) under bin, sends one request, and
// returns the log datagrams holding "warn" (dates and pids masked),
// sorted.
func stderrLines(t *testing.T, bin, cfg string, want int) []string {
	syslog := loopback.ListenUDP(t)
	bind := loopback.FreeAddr(t)
	app := startStderrApp(t, []string{"warn one", "warn two\nline2", "warn three\n", ""})
	cfg = strings.NewReplacer("SYSLOG", syslog.LocalAddr().String(), "BIND", bind, "APP", app).Replace(cfg)
	startWithConfig(t, bin, cfg, bind)
	if got := sendRaw(t, bind, "GET /x.php HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"); !strings.HasPrefix(got, "HTTP/1.1 200") {
		t.Fatalf("%s answered %q", bin, got)
	}
	date3164 := regexp.MustCompile(`^(<\d+>)[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d `)
	date5424 := regexp.MustCompile(`^(<\d+>1) \S+ `)
	pid := regexp.MustCompile(`\[\d+\]: | \d+ - `)
	var lines []string
	readSyslog(syslog, func(l string) bool {
		if !strings.Contains(l, "warn") {
			return true // startup messages
		}
		l = date3164.ReplaceAllString(l, "${1}DATE ")
		l = date5424.ReplaceAllString(l, "${1} DATE ")
		lines = append(lines, pid.ReplaceAllString(l, "[PID] "))
		return len(lines) < want
	})
	sort.Strings(lines)
	return lines
}

// TestFCGILogStderrMatchHAProxy: the STDERR records of an fcgi-app's
// application are logged as HAProxy 2.6.12 logs them with log-stderr:
// one line per record at level err (a crit target gets none), the app's
// name as tag, trailing newlines off and inner ones kept, the empty
// record that ends the stream not logged, one after the end of STDOUT
// logged too; to the global targets (log-stderr global) and its own,
// RFC 3164 and 5424 (measured: twelve lines for four records and three
// targets that take err).
func TestFCGILogStderrMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	cfg := `global
    log SYSLOG local0
defaults
    mode http
    timeout connect 1s
    timeout client 5s
    timeout server 5s
fcgi-app php
    docroot /var/www
    log-stderr global
    log-stderr SYSLOG local1 info
    log-stderr SYSLOG format rfc5424 local2
    log-stderr SYSLOG local3 crit
frontend fe
    bind BIND
    default_backend be
backend be
    use-fcgi-app php
    server s1 APP proto fcgi
`
	want := stderrLines(t, hp, cfg, 12)
	if len(want) != 12 {
		t.Fatalf("haproxy logged %q", want)
	}
	got := stderrLines(t, gohaproxy, cfg, len(want))
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("haproxy:\n%q\ngohaproxy:\n%q", want, got)
	}
}
