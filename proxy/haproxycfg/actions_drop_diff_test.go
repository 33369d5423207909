package haproxycfg

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// startBothLogged is startBoth with the httplog lines of both sides: the
// real HAProxy logs to a UDP socket of the test, goha's entries are
// formatted with logfmt.HTTPLog. cfg needs `log LOG local0` in global and
// `option httplog` where it logs.
func startBothLogged(t *testing.T, cfg string) (ha, goha string, haLines, gohaLines chan string) {
	t.Helper()
	ha, goha, haLines, gohaLines, _ = startBothLoggedStats(t, cfg, "")
	return ha, goha, haLines, gohaLines
}

// startBothLoggedStats is startBothLogged with goha's running proxy (for
// its counters) and, when sock is set, HAProxy's stats socket there.
// goha's tcp-mode entries, and those of a frontend whose format is
// tcplog, are formatted with logfmt.TCPLog; a log-format (with its
// %[...] samples, which the entries carry) is used as it is.
func startBothLoggedStats(t *testing.T, cfg, sock string) (ha, goha string, haLines, gohaLines chan string, px *proxy.Proxy) {
	t.Helper()
	ha, goha, haLines, gohaLines, px, _ = startBothLoggedPlan(t, cfg, sock)
	return ha, goha, haLines, gohaLines, px
}

// startBothLoggedPlan is startBothLoggedStats with goha's plan (its
// stick tables).
func startBothLoggedPlan(t *testing.T, cfg, sock string) (ha, goha string, haLines, gohaLines chan string, px *proxy.Proxy, gohaPlan *Plan) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	pc := loopback.ListenUDP(t) // a free port: the same test runs in other trees at once
	haLines, gohaLines = make(chan string, 64), make(chan string, 64)
	go readHAProxySyslog(pc, haLines, true)
	ha, goha = loopback.FreeAddr(t), loopback.FreeAddr(t)
	cfg = strings.ReplaceAll(cfg, "LOG", pc.LocalAddr().String())
	haCfg := strings.ReplaceAll(cfg, "BIND", ha)
	if sock != "" {
		haCfg = "global\n    stats socket " + sock + "\n" + haCfg
	}
	difftest.StartHAProxy(t, haCfg, ha)
	gohaPlan, px = gohaRun(t, strings.ReplaceAll(cfg, "BIND", goha), true, func(plan *Plan) proxy.Options {
		return proxy.Options{Log: func(e *proxy.LogEntry) {
			le := logfmt.Entry(*e)
			f := logfmt.HTTPLog
			if spec := plan.Logs[le.Frontend]; spec != nil && spec.Format == "custom" {
				f = logfmt.MustCompile(spec.Custom) // its %[...] samples: the entry's Samples, in order
			} else if le.TCP || spec != nil && spec.Format == "tcplog" {
				f = logfmt.TCPLog // a tcp frontend's, or an http one's with option tcplog
			}
			if ok, level := logfmt.Decide(&le, logfmt.Options{}); ok { // local0 is facility 16
				gohaLines <- "<" + strconv.Itoa(16*8+int(level)) + "> " + string(f.Append(nil, &le, nil))
			}
		}}
	})
	// The readiness probe's connection: HAProxy logs it (<BADREQ>, CR--)
	// unless dontlognull. On a loaded machine that line may come long
	// after 100 ms, and would then be read as the first request's: a
	// configuration that logs without dontlognull waits up to 2 s for it.
	wait := 100 * time.Millisecond
	if probeLogged(cfg) {
		wait = 2 * time.Second
	}
	for i := 0; i < 2; i++ { // the readiness probe's connection, logged or not
		select {
		case <-haLines:
			wait = 100 * time.Millisecond
		case <-time.After(wait):
			wait = 100 * time.Millisecond
		}
	}
	return ha, goha, haLines, gohaLines, px, gohaPlan
}

// probeLogged reports whether HAProxy is expected to log a connection
// closed with nothing sent (the readiness probe) under cfg: it logs, not
// with dontlognull, and no tcp-request connection rule may end the probe
// unlogged. Only the wait depends on it: a wrong guess costs 2 s, or
// leaves the 100 ms wait of before.
func probeLogged(cfg string) bool {
	return strings.Contains(cfg, "log ") && !strings.Contains(cfg, "dontlognull") &&
		!strings.Contains(cfg, "tcp-request connection")
}

// settleProbes waits (3 s at most) until neither daemon holds a
// connection (the readiness probes closed and counted: HAProxy may take
// longer than a fixed pause on a busy machine, and a probe still open
// shows in the next log line's connection counts), then drops any log
// line the probes left.
func settleProbes(t *testing.T, sock string, px *proxy.Proxy, haLines, gohaLines chan string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Second)
	for {
		var goConns int64
		for _, f := range px.Frontends() {
			goConns += f.Stats.CurSessions
		}
		haConns := haproxytest.ShowInfoField(t, sock, "CurrConns")
		if haConns == "0" && goConns == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the readiness probes still hold connections after 3 s: haproxy %q, goha %d", haConns, goConns)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for {
		select {
		case <-haLines:
		case <-gohaLines:
		case <-time.After(50 * time.Millisecond):
			return
		}
	}
}

var logClient = regexp.MustCompile(`^(<\d+> )[\d.]+:\d+ \[[^\]]+\] `)

// normLog drops from an httplog line what differs between two runs: the
// client port, the date, the non-negative times and the process-wide
// connection counts.
func normLog(line string) string {
	line = logClient.ReplaceAllString(line, "${1}C [D] ")
	f := strings.Fields(line)
	if len(f) > 5 {
		ts := strings.Split(f[5], "/")
		for i, v := range ts {
			if !strings.HasPrefix(v, "-") {
				ts[i] = "N"
			}
		}
		f[5] = strings.Join(ts, "/")
	}
	// %ac/%fc (httplog's field 11, tcplog's 8): a daemon may still count
	// a connection of the previous exchange (a silently dropped one is
	// released late).
	for _, i := range []int{11, 8} {
		if len(f) > i && strings.Count(f[i], "/") == 4 {
			f[i] = "A/F/" + strings.SplitN(f[i], "/", 3)[2]
			break
		}
	}
	return strings.Join(f, " ")
}

func nextLine(t *testing.T, ch chan string, who string) string {
	t.Helper()
	select {
	case l := <-ch:
		return normLog(l)
	case <-time.After(2 * time.Second):
		t.Errorf("%s logged nothing", who)
		return ""
	}
}

// TestRejectSilentDropDifferential: http-request reject closes the
// connection with nothing sent, silent-drop leaves the client with no
// sign at all (TCP_REPAIR as root; otherwise a reset); both log -1 PR with
// no request time, as HAProxy 2.6 does; the requests before them on the
// connection are served.
func TestRejectSilentDropDifferential(t *testing.T) {
	t.Parallel()
	w := webs3(t)
	cfg := httplogFrontend + `    http-request reject if { path /rej }
    http-request silent-drop if { path /sd }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	for _, raw := range []string{
		"GET /rej HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET /sd HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /rej HTTP/1.1\r\nHost: h\r\n\r\n",
		"GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /sd HTTP/1.1\r\nHost: h\r\n\r\n",
	} {
		sameAnswer(t, fmt.Sprintf("%q", raw), ha, goha, raw, 400*time.Millisecond)
		sameLogLines(t, fmt.Sprintf("%q", raw), haLog, goLog, strings.Count(raw, "GET "))
	}
}

// TestSetStatusDifferential: http-response set-status with and without a
// reason; the client and the log see the new status.
func TestSetStatusDifferential(t *testing.T) {
	w := webs3(t)
	cfg := httplogFrontend + `    http-request set-var(txn.p) path
    http-response set-status 299 reason "Fine Thing" if { var(txn.p) -m str /r }
    http-response set-status 404 if { var(txn.p) -m str /n }
    http-response set-status 503 if { var(txn.p) -m str /n } { status 404 }
    http-response set-status 799 if { var(txn.p) -m str /x }
    http-response set-header X-Status %[status] if { var(txn.p) -m str /n }
    default_backend web
backend web
    server w1 ` + w[0] + `
`
	ha, goha, haLog, goLog := startBothLogged(t, cfg)
	raw := "GET /r HTTP/1.1\r\nHost: h\r\n\r\nGET /n HTTP/1.1\r\nHost: h\r\n\r\nGET /x HTTP/1.1\r\nHost: h\r\n\r\n" +
		"GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"
	exchange := func(addr string) []byte {
		out, err := difftest.Exchange(addr, []byte(raw), 2*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	want, got := exchange(ha), exchange(goha)
	if !bytes.Contains(want, []byte("HTTP/1.1 299 Fine Thing\r\n")) {
		t.Fatalf("haproxy answered %q", want)
	}
	wr, err := difftest.ParseAll(want)
	if err != nil {
		t.Fatal(err)
	}
	gr, err := difftest.ParseAll(got)
	if err != nil {
		t.Fatalf("%v\n%q", err, got)
	}
	if d := difftest.Diff(wr, gr, "x-status", "content-length"); d != "" {
		t.Error(d)
	}
	statusLines := func(b []byte) string {
		var out []string
		for _, l := range strings.Split(string(b), "\r\n") {
			if strings.HasPrefix(l, "HTTP/") {
				out = append(out, l)
			}
		}
		return strings.Join(out, "|")
	}
	if w, g := statusLines(want), statusLines(got); w != g {
		t.Errorf("status lines\nhaproxy: %s\ngoha:    %s", w, g)
	}
	for range 4 {
		if w, g := nextLine(t, haLog, "haproxy"), nextLine(t, goLog, "goha"); w != g {
			t.Errorf("log\nhaproxy: %s\ngoha:    %s", w, g)
		}
	}
}

// TestDropRulesRefused: what dropRule cannot run as HAProxy does is
// reported, never dropped.
func TestDropRulesRefused(t *testing.T) {
	for _, tc := range []struct{ bind, rule, want string }{
		{"127.0.0.1:8080 proto h2", "http-request reject", ""},
		{"127.0.0.1:8080", "http-response set-status 99", "set-status 99"},
		{"127.0.0.1:8080", "http-response set-status 200 why not", "set-status 200 why not"},
		{"127.0.0.1:8080", "http-request reject", ""},
		{"127.0.0.1:8080", "http-request set-timeout server 1s", "proxy 'fe' has no backend capability."},
		{"127.0.0.1:8080", "http-response set-status 200 reason ok", ""},
	} {
		cfg := quickDefaults("http") +
			"frontend fe\n    bind " + tc.bind + "\n    " + tc.rule + "\n    default_backend be\nbackend be\n    server s 127.0.0.1:9\n"
		got := configNotices(cfg)
		if !noticeIs(got, tc.want) {
			t.Errorf("%s / %s: notices %q, want %q", tc.bind, tc.rule, got, tc.want)
		}
	}
}
