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

// monitorLogLines runs bin with a monitor-uri frontend, sends two monitor
// requests (a 200, a 503 through monitor fail) and then an ordinary one,
// and returns the traffic lines logged until the ordinary one's, the
// syslog header removed.
func monitorLogLines(t *testing.T, bin string) (lines, resps []string, stats string) {
	t.Helper()
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	bind := loopback.FreeAddr(t)
	sock := filepath.Join(t.TempDir(), "s.sock")
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
    stats socket %s
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
frontend fe
    bind %s
    log-format "%%ST %%HU %%b/%%s %%tsc"
    monitor-uri /mon
    monitor fail if { hdr(x-down) -m found }
    default_backend be
backend be
    server s1 %s
`, syslog.LocalAddr(), sock, bind, backend), bind)
	for _, r := range []string{
		"GET /mon HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
		"GET /mon HTTP/1.1\r\nHost: h\r\nX-Down: 1\r\nConnection: close\r\n\r\n",
		"GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n",
	} {
		resps = append(resps, sendRaw(t, bind, r))
	}
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	readSyslog(syslog, func(l string) bool {
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		if strings.Contains(l, "<BADREQ>") {
			return true // the listen probe
		}
		lines = append(lines, l)
		return !strings.Contains(l, "/last")
	})
	// The counters are read once the frontend has ended every session
	// (bounded): the listen probe's and the last request's may still be
	// closing (seen in a full run: scur=1 stot=3 on one daemon, 0 and 4
	// on the other).
	out := haproxytest.StatsCmd(t, sock, "show stat")
	for i := 0; i < 40 && frontendCols(out, "scur") != "scur=0 "; i++ {
		time.Sleep(50 * time.Millisecond)
		out = haproxytest.StatsCmd(t, sock, "show stat")
	}
	return lines, resps, strings.Join(haproxytest.StatRows(out), "\n") + "\n" + frontendCols(out, "intercepted", "hrsp_2xx", "hrsp_5xx")
}

// frontendCols is "col=value ..." of the FRONTEND rows of show stat out.
func frontendCols(out string, cols ...string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	hdr := strings.Split(strings.TrimPrefix(lines[0], "# "), ",")
	var b strings.Builder
	for _, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) < 2 || f[1] != "FRONTEND" {
			continue
		}
		for _, c := range cols {
			for i, h := range hdr {
				if h == c && i < len(f) {
					fmt.Fprintf(&b, "%s=%s ", c, f[i])
				}
			}
		}
	}
	return b.String()
}

// TestMonitorURINotLoggedMatchesHAProxy: requests for the monitor URI,
// answered 200 or 503, leave no log line; the next request logs as
// usual; the answers and show stat (intercepted, status classes) are
// HAProxy 2.6's.
func TestMonitorURINotLoggedMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want, wantR, wantS := monitorLogLines(t, hp)
	got, gotR, gotS := monitorLogLines(t, gohaproxy)
	if wantS != gotS {
		t.Errorf("show stat:\n haproxy\n%s\n gohaproxy\n%s", wantS, gotS)
	}
	if len(want) != 1 || !strings.Contains(want[0], "/last") {
		t.Fatalf("haproxy logged %q", want)
	}
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("log lines:\n haproxy   %q\n gohaproxy %q", want, got)
	}
	if strings.Join(wantR, "\n") != strings.Join(gotR, "\n") {
		t.Errorf("responses:\n haproxy   %q\n gohaproxy %q", wantR, gotR)
	}
}

// probeLogLines runs bin with two frontends, one with option
// http-ignore-probes, opens on each a connection closed at once and one
// left silent past timeout http-request, then sends an ordinary request;
// it returns the traffic lines logged (sorted) and what each silent
// connection read.
func probeLogLines(t *testing.T, bin string) (lines, resps []string) {
	t.Helper()
	backend := startFixedBackend(t)
	syslog := loopback.ListenUDP(t)
	binds := []string{loopback.FreeAddr(t), loopback.FreeAddr(t)}
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
defaults
    mode http
    log global
    timeout connect 1s
    timeout client 5s
    timeout server 5s
    timeout http-request 300ms
    log-format "%%f %%ST %%HU %%b/%%s %%tsc"
frontend probes
    bind %s
    option http-ignore-probes
    default_backend be
frontend plain
    bind %s
    default_backend be
backend be
    server s1 %s
`, syslog.LocalAddr(), binds[0], binds[1], backend), binds...)
	// The listen probes' lines stay in: draining them until a pause lost
	// or kept the plain frontend's (a 400 CR; the other frontend logs
	// none) depending on the machine's load (seen in a full run).
	for _, b := range binds {
		c, err := net.Dial("tcp", b)
		if err != nil {
			t.Fatal(err)
		}
		c.Close()
		c, err = net.Dial("tcp", b)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(3 * time.Second))
		got, _ := io.ReadAll(c)
		c.Close()
		resps = append(resps, string(got))
		// A partial head, then the client closes.
		if c, err = net.Dial("tcp", b); err != nil {
			t.Fatal(err)
		}
		io.WriteString(c, "GET /partial HT")
		time.Sleep(50 * time.Millisecond)
		c.Close()
		sendRaw(t, b, "GET /last HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n")
	}
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	last := 0
	readSyslog(syslog, func(l string) bool {
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		lines = append(lines, l)
		if strings.Contains(l, "/last") {
			last++
		}
		return last < 2
	})
	sort.Strings(lines)
	return lines, resps
}

// TestIgnoreProbesMatchesHAProxy: option http-ignore-probes closes a
// connection that sent nothing silently (no 408, no log line), where a
// frontend without it answers and logs as HAProxy 2.6 does.
func TestIgnoreProbesMatchesHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want, wantR := probeLogLines(t, hp)
	got, gotR := probeLogLines(t, gohaproxy)
	t.Logf("haproxy: %q %q", want, wantR)
	if strings.Join(want, "\n") != strings.Join(got, "\n") {
		t.Errorf("log lines:\n haproxy   %q\n gohaproxy %q", want, got)
	}
	if strings.Join(wantR, "\n") != strings.Join(gotR, "\n") {
		t.Errorf("responses:\n haproxy   %q\n gohaproxy %q", wantR, gotR)
	}
}
