package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// Server `redir <prefix>`: GET and HEAD requests get HAProxy's 302 to the
// prefix and the request's path (an absolute target's path too), byte
// for byte, and the connection closes; a POST goes to the server. The
// log lines (server named, no connect or response time, LC flags, the
// bytes) and show stat's counters are HAProxy's.
func TestServerRedirMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "web")
	requests := []string{
		"GET /a/b?x=1 HTTP/1.1\r\nHost: h\r\n\r\n",
		"HEAD / HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET http://other/z?q HTTP/1.1\r\nHost: other\r\n\r\n",
		"GET /k HTTP/1.0\r\n\r\n",
		"GET /k HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx",
		"POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\nConnection: close\r\n\r\nab",
	}
	run := func(ha bool) (answers, logs []string, stat []string) {
		syslog := loopback.ListenUDP(t)
		sock, _, bind := serverOptsDaemon(t, ha, fmt.Sprintf("    log %s local0\n    option httplog\n", syslog.LocalAddr()),
			fmt.Sprintf("backend be\n    server s1 %s redir http://img.example.com\n", web.Addr))
		for _, r := range requests {
			c, err := net.Dial("tcp", bind)
			if err != nil {
				t.Fatal(err)
			}
			c.SetDeadline(time.Now().Add(3 * time.Second))
			c.Write([]byte(r))
			got, _ := io.ReadAll(c)
			c.Close()
			answers = append(answers, string(got))
		}
		readSyslog(syslog, func(l string) bool {
			if i := strings.Index(l, "]: "); i >= 0 && strings.Contains(l, " fe be/") {
				logs = append(logs, maskRedirLog(strings.TrimSuffix(l[i+3:], "\n")))
			}
			return len(logs) < len(requests)
		})
		cols := []string{"pxname", "svname", "stot", "lbtot", "hrsp_2xx", "hrsp_3xx", "req_tot"}
		return answers, logs, statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), cols)
	}
	haAnswers, haLogs, haStat := run(true)
	goAnswers, goLogs, goStat := run(false)
	for i := range requests {
		// the server's answer carries its own Date
		if haAnswers[i] != goAnswers[i] {
			t.Errorf("%q\nhaproxy %q\n   goha %q", requests[i], haAnswers[i], goAnswers[i])
		}
	}
	slices.Sort(haLogs) // datagrams may arrive out of order under load
	slices.Sort(goLogs)
	diffLines(t, "logs", haLogs, goLogs)
	diffLines(t, "show stat", haStat, goStat)
}

// maskRedirLog blanks the client port, the date and the timers that are
// not -1 (those that are say nothing was connected or answered).
func maskRedirLog(l string) string {
	l = regexp.MustCompile(`127\.0\.0\.1:\d+`).ReplaceAllString(l, "127.0.0.1:P")
	l = regexp.MustCompile(`\[\d\d/[A-Z][a-z]{2}/\d{4}:[0-9:.]+\]`).ReplaceAllString(l, "[DATE]")
	return regexp.MustCompile(` (-?\d+)/(-?\d+)/(-?\d+)/(-?\d+)/(-?\d+) `).ReplaceAllStringFunc(l, func(m string) string {
		parts := strings.Split(strings.TrimSpace(m), "/")
		for i, p := range parts {
			if p != "-1" {
				parts[i] = "T"
			}
		}
		return " " + strings.Join(parts, "/") + " "
	})
}
