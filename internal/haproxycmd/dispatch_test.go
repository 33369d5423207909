package haproxycmd

import (
	"fmt"
	"io"
	"net"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// dispatchRun runs bin with `dispatch` backends (http to a live and to a
// dead address, and tcp), sends one request to each and returns
// the answers, the log lines (masked) and show stat's identity, status
// and session columns.
func dispatchRun(t *testing.T, bin string) (answers, lines, stat []string) {
	t.Helper()
	web := loopback.StartWeb(t, "web")
	syslog := loopback.ListenUDP(t)
	dir := t.TempDir()
	httpBind, tcpBind := loopback.FreeAddr(t), loopback.FreeAddr(t)
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
    stats socket %s level admin
defaults
    log global
    option dontlognull
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend f
    mode http
    option httplog
    bind %s
    use_backend bd if { path /dead }
    default_backend b
frontend ft
    mode tcp
    option tcplog
    bind %s
    default_backend bt
backend b
    mode http
    dispatch %s
backend bd
    mode http
    retries 1
    dispatch %s
backend bt
    mode tcp
    dispatch %s
`, syslog.LocalAddr(), filepath.Join(dir, "s.sock"), httpBind, tcpBind, web.Addr, loopback.DeadAddr(t), web.Addr), httpBind, tcpBind)
	for _, p := range []string{"/x", "/dead"} {
		c, err := net.Dial("tcp", httpBind)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", p)
		b, _ := io.ReadAll(c)
		c.Close()
		head, body, _ := strings.Cut(string(b), "\r\n\r\n")
		answers = append(answers, p+" "+strings.SplitN(head, "\r\n", 2)[0]+" "+body)
	}
	// The tcp line logs the process's connections (%ac): wait until the
	// http requests' connections are released (a loaded HAProxy may still
	// hold the last one for a moment after the client read its close).
	for deadline := time.Now().Add(3 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		n := haproxytest.ShowInfoField(t, filepath.Join(dir, "s.sock"), "CurrConns")
		if n == "0" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still holds %s connections 3 s after the http requests", bin, n)
		}
	}
	if c, err := net.Dial("tcp", tcpBind); err == nil {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		io.WriteString(c, "GET /t HTTP/1.0\r\n\r\n")
		b, _ := io.ReadAll(c)
		c.Close()
		answers = append(answers, "tcp "+strings.SplitN(string(b), "\r\n", 2)[0])
	}
	readSyslog(syslog, func(l string) bool {
		l = maskLogLine(syslogBody.ReplaceAllString(strings.TrimSuffix(l, "\n"), ""))
		l = strings.Join(strings.Fields(l)[2:], " ")
		lines = append(lines, regexp.MustCompile(`^(ft \S+) -?\d+/-?\d+/-?\d+ `).ReplaceAllString(l, "$1 T/T/T "))
		return len(lines) < 3
	})
	sort.Strings(lines)
	stat = statColumns(t, haproxytest.StatsCmd(t, filepath.Join(dir, "s.sock"), "show stat"), []string{"pxname", "svname", "status", "weight", "act", "stot", "lbtot"})
	return answers, lines, stat
}

// TestDispatchMatchesHAProxy: `dispatch <address>:<port>` in a backend
// without a balance line sends every request there, in http and tcp
// mode: logged with no server name (be/<NOSRV>), a refused connection
// retried after HAProxy's second and answered 503 SC--, no server row
// and the backend UP in show stat.
// Compared with HAProxy 2.6: answers, log lines, show stat columns.
func TestDispatchMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	wa, wl, ws := dispatchRun(t, hp)
	ga, gl, gs := dispatchRun(t, gohaproxy)
	diffLines(t, "answers", wa, ga)
	diffLines(t, "log lines", wl, gl)
	diffLines(t, "show stat", ws, gs)
	if len(gl) != 3 || !strings.Contains(strings.Join(gl, "\n"), "b/<NOSRV>") {
		t.Errorf("log lines %q", gl)
	}
}
