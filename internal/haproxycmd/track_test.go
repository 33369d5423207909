package haproxycmd

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// switchedCheck answers HTTP checks with 200, or 503 while failing is set.
func switchedCheck(t *testing.T, failing *atomic.Bool) string {
	return loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		if _, err := http.ReadRequest(bufio.NewReader(c)); err == nil {
			status := "200 OK"
			if failing.Load() {
				status = "503 Service Unavailable"
			}
			c.Write([]byte("HTTP/1.1 " + status + "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"))
		}
	})
}

// trackDaemon runs b2/s1 tracking b1/s1 and b2/s2 tracking b2/s1 under
// haproxy or goha; it returns the stats socket, stderr and b2's frontend.
func trackDaemon(t *testing.T, ha bool, web, chk string) (string, *haproxytest.Buffer, string) {
	dir := t.TempDir()
	_, chkPort, _ := net.SplitHostPort(chk)
	front := loopback.FreeAddr(t)
	cfg := fmt.Sprintf(adminHead+`    timeout check 1s
backend b1
    option httpchk
    server s1 %s check port %s inter 100 rise 1 fall 1
frontend f2
    bind %s
    default_backend b2
backend b2
    server s1 %s track b1/s1
    server s2 %s track s1
`, dir, web, chkPort, front, web, web)
	path := filepath.Join(dir, "t.cfg")
	os.WriteFile(path, []byte(cfg), 0o644)
	errs := runLogged(t, ha, path)
	loopback.WaitListen(t, front)
	return filepath.Join(dir, "s.sock"), errs, front
}

// A tracked server whose check fails then recovers: the tracking chain
// follows it with HAProxy's "via" lines, show stat rows and traffic.
func TestServerTrackMatchHAProxy(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "ok").Addr
	var failing atomic.Bool
	chk := switchedCheck(t, &failing)
	haSock, haErrs, haFront := trackDaemon(t, true, web, chk)
	goSock, goErrs, goFront := trackDaemon(t, false, web, chk)
	status := func(front string) string {
		c, err := net.DialTimeout("tcp", front, time.Second)
		if err != nil {
			return err.Error()
		}
		defer c.Close()
		c.SetDeadline(time.Now().Add(3 * time.Second))
		fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
		line, _ := bufio.NewReader(c).ReadString('\n')
		return strings.TrimSpace(line)
	}
	cols := []string{"pxname", "svname", "status", "tracked", "check_status", "check_code", "chkdown", "check_desc", "check_health", "check_rise", "weight", "act", "last_chk"}
	step := func(name string, fail bool, cmd string) {
		failing.Store(fail)
		if cmd != "" {
			haproxytest.StatsCmd(t, haSock, cmd)
			haproxytest.StatsCmd(t, goSock, cmd)
		}
		time.Sleep(350 * time.Millisecond) // checks every 100ms, rise and fall 1
		h, g := status(haFront), status(goFront)
		if h != g {
			t.Errorf("%s: haproxy answered %q, goha %q", name, h, g)
		}
		diffLines(t, "show stat "+name,
			trackRows(statColumns(t, haproxytest.StatsCmd(t, haSock, "show stat"), cols)),
			trackRows(statColumns(t, haproxytest.StatsCmd(t, goSock, "show stat"), cols)))
		diffLines(t, "show servers state "+name, serversState(t, haSock), serversState(t, goSock))
		h, g = haproxytest.StatsCmd(t, haSock, "set server b2/s1 health down"), haproxytest.StatsCmd(t, goSock, "set server b2/s1 health down")
		if h != g {
			t.Errorf("%s: set server b2/s1 health down: haproxy %q, goha %q", name, h, g)
		}
	}
	step("up", false, "")
	step("down", true, "")
	step("back up", false, "")
	step("maint", false, "set server b1/s1 state maint")
	step("ready", false, "set server b1/s1 state ready")
	step("down again", true, "")
	step("maint while down", true, "set server b1/s1 state maint")
	step("ready while down", true, "set server b1/s1 state ready")
	step("recovered", false, "")
	step("forced down", false, "set server b1/s1 health down")
	step("forced up", false, "set server b1/s1 health up")
	step("tracker maint", false, "set server b2/s1 state maint")
	step("tracked maint under it", false, "set server b1/s1 state maint")
	step("tracker ready", false, "set server b2/s1 state ready")
	step("tracked ready", false, "set server b1/s1 state ready")
	step("tracked drain", false, "set server b1/s1 state drain")
	step("tracked drain off", false, "set server b1/s1 state ready")
	ha, goha := trackLines(haErrs.String()), trackLines(goErrs.String())
	diffLines(t, "stderr", ha, goha)
	if len(ha) < 30 {
		t.Errorf("haproxy logged %d lines, expected the whole sequence", len(ha))
	}
	if testing.Verbose() {
		t.Logf("haproxy:\n%s\ngoha:\n%s", strings.Join(ha, "\n"), strings.Join(goha, "\n"))
	}
}

// trackLines keeps a daemon's lines about servers and backends, in order,
// without the process prefix and check durations.
func trackLines(out string) []string {
	duration := regexp.MustCompile(`check duration: \d+ms`)
	prefix := regexp.MustCompile(`^(\[[A-Z]+\])\s+\(\d+\) : `) // the pid has any number of digits
	var keep []string
	for _, l := range strings.Split(out, "\n") {
		m := prefix.FindStringSubmatchIndex(l)
		if m == nil || strings.Contains(l, "config : ") || !(strings.Contains(l, "/s") || strings.Contains(l, "backend")) {
			continue
		}
		keep = append(keep, l[m[2]:m[3]]+duration.ReplaceAllString(l[m[1]:], "check duration: Nms"))
	}
	return keep
}

// serversState is `show servers state` without the time since the last
// change (field 10).
func serversState(t *testing.T, sock string) []string {
	var out []string
	for _, l := range strings.Split(haproxytest.StatsCmd(t, sock, "show servers state"), "\n") {
		f := strings.Fields(l)
		// the tracked server's row changes while its check runs: timing
		if len(f) > 10 && !strings.HasPrefix(l, "#") && f[1] == "b2" {
			f[9] = "T"
			out = append(out, strings.Join(f, " "))
		}
	}
	return out
}

// trackRows keeps the server rows of statColumns' output; the tracked
// server's only up to its status: its check columns change while a check
// runs (timing), and the tracking servers' are the point.
func trackRows(rows []string) []string {
	var out []string
	for _, r := range serverRows(rows) {
		if strings.HasPrefix(r, "pxname=b1 ") {
			r, _, _ = strings.Cut(r, " tracked=")
		}
		out = append(out, r)
	}
	return out
}
