package haproxycfg

import (
	"net"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/proxy"
)

// tableCounter reads name's value in the first entry of a show table
// dump (0 when none).
func tableCounter(dump, name string) int {
	m := regexp.MustCompile(` ` + name + `=([0-9]+)`).FindStringSubmatch(dump)
	if m == nil {
		return 0
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

var actConns = regexp.MustCompile(` A/F/[0-9]+/[0-9]+/[0-9]+`)

// gohaShowTable is goha's show table <name> (runtimeapi's output).
func gohaShowTable(t *testing.T, plan *Plan, name string) string {
	t.Helper()
	for _, tb := range plan.Proxy.Tables {
		if tb.Name() == name {
			now := proxy.StickNow()
			tb.Purge(now)
			return string(tb.AppendEntries(tb.AppendHeader(nil), nil, nil, now))
		}
	}
	t.Fatalf("goha has no table %s", name)
	return ""
}

// TestTCPResponseEmptyClientMatchesHAProxy: a tcp backend's
// tcp-response content rules (sc-inc-gpc0 on the frontend's and the
// backend's tracked entries) beside HAProxy 2.6.12, for clients that
// send and read the answer, send and half-close, and connect and close
// at once. HAProxy runs the rules once the server connection is up:
// when the client's close comes first (in its event loop: a race on
// loopback, measured 2 of 8), it aborts the connection attempt (logged
// CC, Tc -1) and no rule runs; goha connects before it looks at the
// client, and so runs them every time, as HAProxy does when the
// connection wins. Compared: the counters counted per connection and
// the log lines for the clients that send; for those that close at once,
// on each side, one count per connection logged without CC.
func TestTCPResponseEmptyClientMatchesHAProxy(t *testing.T) {
	t.Parallel()
	server := loopback.ServeEach(t, loopback.Listen(t), func(c net.Conn) {
		c.SetDeadline(time.Now().Add(3 * time.Second))
		b := make([]byte, 64)
		n, _ := c.Read(b)
		if n > 0 {
			c.Write(append([]byte("echo:"), b[:n]...))
		}
	})
	cfg := tcpLogHead + `frontend fe
    bind BIND
    stick-table type ip size 10 expire 30s store gpc0,conn_cnt
    tcp-request content track-sc0 src
    default_backend be
backend be
    stick-table type ip size 10 expire 30s store gpc0
    tcp-request content track-sc1 src
    tcp-response content sc-inc-gpc0(0)
    tcp-response content sc-inc-gpc0(1)
    server s1 ` + server + `
`
	sock := filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, _, plan := startBothLoggedPlan(t, cfg, sock)
	drainLines(haLog, 300*time.Millisecond)
	drainLines(goLog, 50*time.Millisecond)
	// counts: each side's fe gpc0, fe conn_cnt and be gpc0.
	counts := func() (c [2][3]int) {
		time.Sleep(100 * time.Millisecond) // the last sessions' ends
		ha := [2]string{haproxytest.StatsCmd(t, sock, "show table fe"), haproxytest.StatsCmd(t, sock, "show table be")}
		g := [2]string{gohaShowTable(t, plan, "fe"), gohaShowTable(t, plan, "be")}
		for i, d := range [][2]string{ha, g} {
			c[i] = [3]int{tableCounter(d[0], "gpc0"), tableCounter(d[0], "conn_cnt"), tableCounter(d[1], "gpc0")}
		}
		return c
	}
	const n = 8
	for _, kind := range []string{"send and read", "send and half-close", "close at once"} {
		before := counts()
		for range n {
			for _, addr := range []string{ha, goha} {
				c, err := net.DialTimeout("tcp", addr, 2*time.Second)
				if err != nil {
					t.Fatal(err)
				}
				c.SetDeadline(time.Now().Add(3 * time.Second))
				switch kind {
				case "send and half-close":
					c.Write([]byte("hi"))
					c.(*net.TCPConn).CloseWrite()
					c.Read(make([]byte, 64))
				case "send and read":
					c.Write([]byte("hi"))
					c.Read(make([]byte, 64))
				}
				c.Close()
			}
		}
		lines := [2][]string{awaitLines(haLog, 5*time.Second, 300*time.Millisecond), awaitLines(goLog, 5*time.Second, 50*time.Millisecond)}
		for _, ls := range lines {
			for j := range ls {
				// the concurrent connections: the sides overlap
				ls[j] = actConns.ReplaceAllString(ls[j], "")
			}
		}
		after := counts()
		for i, side := range []string{"haproxy", "goha"} {
			up := 0
			for _, l := range lines[i] {
				if !strings.Contains(l, " CC ") {
					up++
				}
			}
			want := [3]int{up, n, up}
			got := [3]int{after[i][0] - before[i][0], after[i][1] - before[i][1], after[i][2] - before[i][2]}
			if len(lines[i]) != n || got != want {
				t.Errorf("%s: %s: %d lines, %d without CC; counted (fe gpc0, fe conn_cnt, be gpc0) %v, want %v", kind, side, len(lines[i]), up, got, want)
			}
		}
		t.Logf("%s: haproxy %q", kind, lines[0])
		if kind != "close at once" && strings.Join(lines[0], "\n") != strings.Join(lines[1], "\n") {
			t.Errorf("%s: logs\nhaproxy %q\ngoha    %q", kind, lines[0], lines[1])
		}
	}
}
