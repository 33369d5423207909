package haproxycfg

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/proxy"
)

// loggedHead starts a configuration whose proxies log to the test
// (startBothLogged's LOG), with 2 s connect and 5 s client and server
// timeouts.
const loggedHead = `global
    log LOG local0
defaults
    log global
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`

// tcpLogHead is a defaults section in mode tcp with option tcplog,
// logging to the test (startBothLogged's LOG), with a 2 s connect and
// 3 s client and server timeouts.
const tcpLogHead = `global
    log LOG local0
defaults
    mode tcp
    log global
    option tcplog
    timeout connect 2s
    timeout client 3s
    timeout server 3s
`

// httpLogHead2s is httpLogHead with 2 s client and server timeouts.
const httpLogHead2s = `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 2s
    timeout server 2s
`

// httpHead is a defaults section in mode http with 2 s connect and 5 s
// client and server timeouts.
const httpHead = `defaults
    mode http
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`

// httpLogHead is httpHead with option httplog, logging to the test
// (startBothLogged's LOG).
const httpLogHead = `global
    log LOG local0
defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 5s
    timeout server 5s
`

// modeSection is a section kind ("listen" or "frontend") fe in mode
// (tcp or http) logging with option tcplog or httplog, bound to BIND,
// with rules, its one server s1 at web (a frontend's in backend be).
func modeSection(kind, mode, rules, web string) string {
	s := kind + " fe\n    mode " + mode + "\n    option " + mode + "log\n    bind BIND\n    " + rules + "\n"
	if kind == "frontend" {
		s += "    default_backend be\nbackend be\n    mode " + mode + "\n"
	}
	return s + "    server s1 " + web + "\n"
}

// startSettled is startBothLoggedStats with a stats socket of the test's
// (sock), once settleProbes has seen the readiness probes end; base is
// HAProxy's show stat then.
func startSettled(t *testing.T, cfg string) (ha, goha string, haLog, goLog chan string, px *proxy.Proxy, sock, base string) {
	t.Helper()
	sock = filepath.Join(t.TempDir(), "stats.sock")
	ha, goha, haLog, goLog, px = startBothLoggedStats(t, cfg, sock)
	settleProbes(t, sock, px, haLog, goLog)
	return ha, goha, haLog, goLog, px, sock, haproxytest.StatsCmd(t, sock, "show stat")
}

// noMoreLines fails the test if either side logs a line within wait.
func noMoreLines(t *testing.T, haLog, goLog chan string, wait time.Duration) {
	t.Helper()
	time.Sleep(wait)
	select {
	case l := <-haLog:
		t.Errorf("haproxy logged %s", l)
	case l := <-goLog:
		t.Errorf("goha logged %s", l)
	default:
	}
}

// sameLoggedLines compares the lines both sides log next (each waited
// for up to 5 s, then until HAProxy is quiet for 300 ms and goha for
// 50 ms): the same lines, exactly n of them, or at least one for n 0.
func sameLoggedLines(t *testing.T, label string, haLog, goLog chan string, n int) {
	t.Helper()
	w, g := awaitLines(haLog, 5*time.Second, 300*time.Millisecond), awaitLines(goLog, 5*time.Second, 50*time.Millisecond)
	if strings.Join(w, "\n") != strings.Join(g, "\n") || len(w) == 0 || n > 0 && len(w) != n {
		t.Errorf("%s: log\nhaproxy %q\ngoha    %q", label, w, g)
	}
}

// loggedBoth collects the lines each side logs for an exchange that just
// ended, until each is quiet (HAProxy for 300 ms, goha for 100 ms). When
// lines are due, HAProxy's first is waited for up to 5 s (a loaded
// machine sends it late), and goha's too once HAProxy logged one.
func loggedBoth(haLog, goLog chan string, due bool) (w, g []string) {
	first := 300 * time.Millisecond
	if due {
		first = 5 * time.Second
	}
	w = awaitLines(haLog, first, 300*time.Millisecond)
	if len(w) == 0 {
		first = 100 * time.Millisecond
	}
	return w, awaitLines(goLog, first, 100*time.Millisecond)
}

// dropStartLines drops the lines the start left (the readiness probes').
func dropStartLines(haLog, goLog chan string) {
	drainLines(haLog, 200*time.Millisecond)
	drainLines(goLog, 50*time.Millisecond)
}

// frontendRuleCase is a case of the tcp rule tests: a frontend in mode
// with rules, before one web server, and the log lines it makes.
type frontendRuleCase struct {
	name, mode, rules string
	logs              int
}

// runFrontendRuleCase starts both sides on tc's frontend, sends req and
// compares what the client saw (through mask, when set), the log lines
// (tc.logs, then none for 100 ms) and the drop counters; it returns
// goha's proxy for more.
func runFrontendRuleCase(t *testing.T, web, req string, tc frontendRuleCase, mask func(string) string) *proxy.Proxy {
	t.Helper()
	ha, goha, haLog, goLog, px, sock, base := startSettled(t, loggedHead+modeSection("frontend", tc.mode, tc.rules, web))
	want, got := observeBoth(t, ha, goha, req)
	if mask != nil {
		want, got = mask(want), mask(got)
	}
	t.Logf("client: %s", want)
	if want != got {
		t.Errorf("client\nhaproxy: %s\ngoha:    %s", want, got)
	}
	sameLogLines(t, tc.name, haLog, goLog, tc.logs)
	noMoreLines(t, haLog, goLog, 100*time.Millisecond)
	compareDropStats(t, base, haproxytest.StatsCmd(t, sock, "show stat"), px)
	return px
}

// readHAProxySyslog passes on ch each line HAProxy logs to pc, its
// syslog header cut down to the priority ("<134> line") when withPri is
// set, or to nothing, until pc is closed.
func readHAProxySyslog(pc net.PacketConn, ch chan<- string, withPri bool) {
	buf := make([]byte, 4096)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			return
		}
		// <134>Mmm dd hh:mm:ss haproxy[pid]: line -> "<134> line"
		pri, _, _ := strings.Cut(string(buf[:n]), ">")
		if _, line, ok := strings.Cut(string(buf[:n]), "]: "); ok {
			line = strings.TrimSuffix(line, "\n")
			if withPri {
				line = pri + "> " + line
			}
			ch <- line
		}
	}
}
