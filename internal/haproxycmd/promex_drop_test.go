package haproxycmd

import (
	"fmt"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// promexDropCfg: http-response silent-drop on the exporter's replies, a
// frontend's rule on the frontend's use-service (/sd) and a backend's
// rule on the backend's (/b/sd), the frontend's after its own header
// rule; an http-after-response set-status that would change the
// status logged; the replies of the other paths pass.
const promexDropCfg = promexHead + `frontend fe
 bind %[2]s
 log %[3]s local0
 option httplog
 http-request set-var(txn.p) path
 http-request use-service prometheus-exporter unless { path_beg /b/ }
 http-response set-header x-a yes
 http-response silent-drop if { var(txn.p) -m str /sd }
 http-after-response set-status 203 if { var(txn.p) -m end /sd }
 default_backend be
backend be
 http-request use-service prometheus-exporter
 http-response silent-drop if { var(txn.p) -m str /b/sd }
 server s1 %[4]s
`

// TestPromexSilentDropMatchesHAProxy sends the cases to HAProxy 2.6.12
// and goha running promexDropCfg: a dropped reply sends the client
// nothing, not even a close (the read times out); the log lines (the
// reply's status and size, LR, Tr -1) and the frontend's and backend's
// dreq and response classes are equal.
func TestPromexSilentDropMatchesHAProxy(t *testing.T) {
	haproxy := testenv.LookPath(t, "haproxy")
	web := loopback.StartWeb(t, "server1")
	paths := []string{"/sd", "/x", "/b/sd", "/b/x"}
	seen, logs, stats := map[string][]string{}, map[string][]string{}, map[string]string{}
	for _, bin := range []string{gohaproxy, haproxy} {
		fe := loopback.FreeAddr(t)
		sock, syslog := startPromex(t, bin, func(sock string, syslog net.Addr) string {
			return fmt.Sprintf(promexDropCfg, sock, fe, syslog, web.Addr)
		})
		for _, p := range paths {
			// each after the previous connection is gone, for the
			// log's connection counts (bounded wait)
			for i := 0; i < 100 && haproxytest.ShowInfoField(t, sock, "CurrConns") != "0"; i++ {
				time.Sleep(20 * time.Millisecond)
			}
			seen[bin] = append(seen[bin], p+": "+firstBytes(t, fe, "GET "+p+"?scope=bogus HTTP/1.1\r\nhost: x\r\n\r\n"))
		}
		n := 0
		readSyslog(syslog, func(d string) bool {
			if _, l, ok := strings.Cut(d, "]: "); ok {
				logs[bin] = append(logs[bin], strings.TrimSpace(l))
			}
			n++
			return n < len(paths)
		})
		for _, r := range statColumns(t, haproxytest.StatsCmd(t, sock, "show stat"), []string{"pxname", "svname", "dreq", "dresp",
			"hrsp_2xx", "hrsp_4xx", "hrsp_other", "intercepted"}) {
			if !strings.Contains(r, "svname=s1") {
				stats[bin] += r + "\n"
			}
		}
	}
	if g, h := strings.Join(seen[gohaproxy], "\n"), strings.Join(seen[haproxy], "\n"); g != h ||
		!strings.Contains(h, "/sd: nothing\n") || !strings.Contains(h, "/b/sd: nothing") || !strings.Contains(h, "/x: HTTP/1.1 400") {
		t.Errorf("answers\ngohaproxy:\n%s\nhaproxy:\n%s", g, h)
	}
	clientPort := regexp.MustCompile(`^127\.0\.0\.1:\d+ \[[^\]]+\] `)
	if l := strings.Join(logs[haproxy], "\n"); strings.Count(l, " 0/0/0/-1/0 400 ") != 2 || strings.Contains(l, " 203 ") {
		t.Errorf("haproxy's log lines: %q", logs[haproxy])
	}
	// the timers compared as set (N) or not (-1): a loaded machine adds
	// a millisecond here and there on either side
	timer := regexp.MustCompile(`\b\d+\b`)
	timers := regexp.MustCompile(` -?\d+/-?\d+/-?\d+/-?\d+/-?\d+ `)
	for _, bin := range []string{gohaproxy, haproxy} {
		for i, l := range logs[bin] {
			l = clientPort.ReplaceAllString(l, "")
			if at := timers.FindStringIndex(l); at != nil { // the first: Tq/Tw/Tc/Tr/Ta, not the counts
				m := strings.ReplaceAll(timer.ReplaceAllString(l[at[0]:at[1]], "N"), "-N", "-1")
				l = l[:at[0]] + m + l[at[1]:]
			}
			logs[bin][i] = l
		}
	}
	sameSortedLogs(t, logs[gohaproxy], logs[haproxy], len(paths))
	if g, h := stats[gohaproxy], stats[haproxy]; g != h || !strings.Contains(h, "pxname=be svname=BACKEND dreq=1 ") {
		t.Errorf("show stat\ngohaproxy %s\nhaproxy   %s", g, h)
	}
}

// firstBytes sends req on a new connection and returns the first line
// of the answer, "nothing" when nothing came (no byte, no close) within
// 500 ms, or "closed".
func firstBytes(t *testing.T, addr, req string) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.Write([]byte(req))
	c.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	buf := make([]byte, 512)
	n, err := c.Read(buf)
	switch {
	case n > 0:
		line, _, _ := strings.Cut(string(buf[:n]), "\r\n")
		return line
	case err != nil && err.(net.Error).Timeout():
		return "nothing"
	}
	return "closed"
}
