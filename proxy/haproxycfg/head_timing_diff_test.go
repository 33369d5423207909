package haproxycfg

import (
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/internal/difftest"
	"github.com/goha-lb/goha/proxy/logfmt"
)

// headStep is one step of a client: after wait, send data (or, for
// "CLOSE", shut the connection's write side).
type headStep struct {
	wait time.Duration
	data string
}

// headCase is one client on a frontend of its own (named after the
// case, so its log lines are told apart): the frontend's lines, then the
// steps.
type headCase struct {
	name, lines string
	steps       []headStep
}

// customLogFrontends is the configuration of runHeadCases: each case's
// frontend logs with format (its first word is %ft) to LOG; BIND_i_ is
// the bind of case i (BIND_0_ is the readiness probe's frontend, which
// logs nothing the test reads).
func customLogFrontends(cases []headCase, format, backends string) string {
	var b strings.Builder
	b.WriteString("global\n    log LOG local0\ndefaults\n    mode http\n    log global\n    timeout connect 1s\n    timeout client 1s\n    timeout server 2s\n")
	b.WriteString("frontend probe\n    bind BIND_0_\n    http-request return status 200\n")
	for i, c := range cases {
		fmt.Fprintf(&b, "frontend %s\n    bind BIND_%d_\n    log-format \"%s\"\n%s", c.name, i+1, format, c.lines)
	}
	return b.String() + backends
}

// startCustomLogged runs cfg (customLogFrontends) on HAProxy and on goha,
// which formats its entries with each frontend's log-format as the plan
// gives it. It returns the binds of each side (index 0 the probe's) and
// the log lines of each, as they come.
func startCustomLogged(t *testing.T, cfg string, n int) (haBinds, goBinds []string, haLines, goLines chan string) {
	t.Helper()
	testenv.LookPath(t, "haproxy")
	pc := loopback.ListenUDP(t)
	haLines, goLines = make(chan string, 256), make(chan string, 256)
	go readHAProxySyslog(pc, haLines, false)
	cfg = strings.ReplaceAll(cfg, "LOG", pc.LocalAddr().String())
	bind := func(binds []string) string {
		c := cfg
		for i := len(binds) - 1; i >= 0; i-- {
			c = strings.ReplaceAll(c, "BIND_"+strconv.Itoa(i)+"_", binds[i])
		}
		return c
	}
	for i := 0; i <= n; i++ {
		haBinds, goBinds = append(haBinds, loopback.FreeAddr(t)), append(goBinds, loopback.FreeAddr(t))
	}
	difftest.StartHAProxy(t, bind(haBinds), haBinds[0])
	gohaRun(t, bind(goBinds), false, func(plan *Plan) proxy.Options {
		formats := customFormats(t, plan)
		return proxy.Options{Log: func(e *proxy.LogEntry) {
			if f := formats[e.Frontend]; f != nil {
				le := logfmt.Entry(*e)
				goLines <- string(f.Append(nil, &le, nil))
			}
		}}
	})
	return haBinds, goBinds, haLines, goLines
}

// playHead runs steps on a new connection to addr and returns what came
// back until the server closed it (or 4 s passed).
func playHead(addr string, steps []headStep) string {
	c, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return "dial: " + err.Error()
	}
	defer c.Close()
	for _, s := range steps {
		time.Sleep(s.wait)
		if s.data == "CLOSE" {
			c.(*net.TCPConn).CloseWrite()
		} else {
			c.Write([]byte(s.data))
		}
	}
	c.SetReadDeadline(time.Now().Add(4 * time.Second))
	var out []byte
	buf := make([]byte, 4096)
	for {
		n, err := c.Read(buf)
		out = append(out, buf[:n]...)
		if err != nil {
			return string(out)
		}
	}
}

// linesOf gathers the log lines of each case from lines (the first word
// of a line is its frontend) until want lines of the cases came or 3 s
// passed.
func linesOf(lines chan string, cases []headCase, want int) map[string][]string {
	out := map[string][]string{}
	names := map[string]bool{}
	for _, c := range cases {
		names[c.name] = true
	}
	end := time.After(3 * time.Second)
	for got := 0; got < want; {
		select {
		case l := <-lines:
			if name, _, _ := strings.Cut(l, " "); names[name] {
				out[name] = append(out[name], l)
				got++
			}
		case <-end:
			return out
		}
	}
	return out
}

// timerMargin is how far apart two timers measured in the same run may be
// (both sides run each case at the same time, on a loaded machine).
const timerMargin = 250

// sameTimedLine compares two log lines word by word: a "name=value"
// word whose values are numbers matches when both are -1 or both are
// within timerMargin of each other; any other word must be the same.
func sameTimedLine(want, got string) bool {
	w, g := strings.Fields(want), strings.Fields(got)
	if len(w) != len(g) {
		return false
	}
	for i := range w {
		if w[i] == g[i] {
			continue
		}
		wk, wv, ok1 := strings.Cut(w[i], "=")
		gk, gv, ok2 := strings.Cut(g[i], "=")
		a, err1 := strconv.Atoi(wv)
		b, err2 := strconv.Atoi(gv)
		if !ok1 || !ok2 || wk != gk || err1 != nil || err2 != nil || a < 0 || b < 0 || a-b > timerMargin || b-a > timerMargin {
			return false
		}
	}
	return true
}

// runHeadCases plays every case on both sides at once (each on its own
// frontend) and compares the answers byte for byte and the log lines
// (sameTimedLine). linesPer is the number of lines each case logs.
func runHeadCases(t *testing.T, cases []headCase, format, backends string, linesPer int) {
	t.Helper()
	haBinds, goBinds, haLines, goLines := startCustomLogged(t, customLogFrontends(cases, format, backends), len(cases))
	type result struct{ ha, goha string }
	results := make([]result, len(cases))
	var wg sync.WaitGroup
	for i, c := range cases {
		wg.Add(2)
		go func() { defer wg.Done(); results[i].ha = playHead(haBinds[i+1], c.steps) }()
		go func() { defer wg.Done(); results[i].goha = playHead(goBinds[i+1], c.steps) }()
	}
	wg.Wait()
	want, got := linesOf(haLines, cases, linesPer*len(cases)), linesOf(goLines, cases, linesPer*len(cases))
	for i, c := range cases {
		if results[i].ha != results[i].goha {
			t.Errorf("%s: answer\nhaproxy: %.300q\ngoha:    %.300q", c.name, results[i].ha, results[i].goha)
		}
		w, g := want[c.name], got[c.name]
		ok := len(w) == len(g) && len(w) == linesPer
		for j := 0; ok && j < len(w); j++ {
			ok = sameTimedLine(w[j], g[j])
		}
		if !ok {
			t.Errorf("%s: log\nhaproxy: %q\ngoha:    %q", c.name, w, g)
		} else {
			t.Logf("%s: %q", c.name, w)
		}
	}
}

// timersFormat logs every timer of a request, how it ended and the
// request line.
const timersFormat = `%ft Th=%Th Ti=%Ti TR=%TR Tq=%Tq Tw=%Tw Tc=%Tc Tr=%Tr Td=%Td Ta=%Ta Tt=%Tt Tu=%Tu ST=%ST ts=%tsc B=%B U=%U r=%{+Q}r`

// TestHeadWaitTimersMatchHAProxy: the wait for a request head ends when
// HAProxy 2.6 ends it (`timeout http-request` from the head's first byte,
// from the accept while none came; `timeout client` from the last read
// that brought bytes; the earlier wins), with the same 408 (or, on the
// client's close, 400) logged with the same timers: a connection that
// sent nothing has %Ti 0 and its whole wait as %Ta and %Tt, not -1.
func TestHeadWaitTimersMatchHAProxy(t *testing.T) {
	t.Parallel()
	web := loopback.StartWeb(t, "w")
	req := "GET / HTTP/1.1\r\nHost: a\r\n\r\n"
	hreq := "    timeout http-request 500ms\n"
	short := "    timeout client 300ms\n    timeout http-request 1s\n"
	cases := []headCase{
		{"empty_client", "", nil},
		{"empty_hreq", hreq, nil},
		{"empty_short_client", short, nil},
		{"empty_close", "", []headStep{{300 * time.Millisecond, "CLOSE"}}},
		{"partial_client", "", []headStep{{300 * time.Millisecond, "GET / HTTP/1.1\r\n"}, {600 * time.Millisecond, "Host: a\r\n"}}},
		{"partial_hreq_late", hreq, []headStep{{450 * time.Millisecond, "GET / HTTP/1.1\r\n"}}},
		{"partial_hreq_lines", hreq, []headStep{{200 * time.Millisecond, "GET / HTTP/1.1\r\n"}, {200 * time.Millisecond, "Host: a\r\n"}, {200 * time.Millisecond, "A: b\r\n"}}},
		{"partial_short_client", short, []headStep{{200 * time.Millisecond, "GET / HTTP/1.1\r\n"}, {200 * time.Millisecond, "A: b\r\n"}, {200 * time.Millisecond, "A: b\r\n"}}},
		{"partial_close", "", []headStep{{300 * time.Millisecond, "GET / "}, {300 * time.Millisecond, "CLOSE"}}},
		{"bad_after_partial", "", []headStep{{300 * time.Millisecond, "GET / HTTP/1.1\r\n"}, {200 * time.Millisecond, "bad header\r\n\r\n"}}},
	}
	for i := range cases {
		cases[i].lines += "    default_backend be\n"
	}
	ka := headCase{"keepalive_partial", "    default_backend be\n", []headStep{{0, req}, {300 * time.Millisecond, "GET /x HTTP/1.1\r\n"}}}
	runHeadCases(t, cases, timersFormat, "backend be\n    server s1 "+web.Addr+"\n", 1)
	runHeadCases(t, []headCase{ka}, timersFormat, "backend be\n    server s1 "+web.Addr+"\n", 2)
}

// TestHeadEarlyRefusalMatchesHAProxy: HAProxy's H1 parser refuses a head
// at its first byte that cannot continue a valid one (400 at once, %Ta
// 0) and waits for the rest of one that still may (408 at `timeout
// http-request`); goha answers and logs each as HAProxy does.
func TestHeadEarlyRefusalMatchesHAProxy(t *testing.T) {
	inputs := []struct{ name, data string }{
		{"version_sp", "GET / HTTP/1.1 "},
		{"version_lower", "GET / http/1.1"},
		{"version_tab", "GET / HTTP/1.1\t"},
		{"version_cr_x", "GET / HTTP/1.1\rX"},
		{"proxy_line", "PROXY TCP4 1.2.3.4 "},
		{"method_ctl", "G\x01"},
		{"leading_sp", " GET"},
		{"target_8bit", "GET /\xff"},
		{"target_ctl", "GET /\x01"},
		{"name_sp", "GET / HTTP/1.1\r\nHost "},
		{"name_paren", "GET / HTTP/1.1\r\nHo(st"},
		{"value_cr_x", "GET / HTTP/1.1\r\nHost: a\rX"},
		{"end_cr_x", "GET / HTTP/1.1\r\nHost: a\r\n\rX"},
		{"empty_value_cr_x", "GET / HTTP/1.1\r\nHost:\rX"},
		{"fold_first", "GET / HTTP/1.1\r\n X"},
		{"wait_fold_later", "GET / HTTP/1.1\r\nX: a\r\n b"},
		{"wait_http09_cr", "GET /\r"},
		{"wait_lf_only", "GET / HTTP/1.1\nHost: a\nX"},
		{"wait_version", "GET / HTTP/1.1"},
		{"wait_version_10", "GET / HTTP/1.10"},
		{"wait_version_x", "GET / X"},
		{"wait_version_cr", "GET / HTTP/1.1\r"},
		{"wait_proxy", "PROXY "},
		{"wait_target", "GET /"},
		{"wait_method", "GET"},
		{"wait_name", "GET / HTTP/1.1\r\nHost"},
		{"wait_value", "GET / HTTP/1.1\r\nHost: a"},
		{"wait_two_sp", "GET /  HTTP/1.1"},
	}
	var cases []headCase
	for _, in := range inputs {
		cases = append(cases, headCase{in.name, "    timeout http-request 500ms\n    default_backend be\n", []headStep{{0, in.data}}})
	}
	runHeadCases(t, cases, timersFormat, "backend be\n    server s1 "+loopback.DeadAddr(t)+"\n", 1)
}

// TestFailedConnectBcFetchesMatchHAProxy: after a failed connect (refused,
// one retry) HAProxy keeps the failed server connection: bc_dst,
// bc_dst_port and bc_http_major have its values in the log line, bc_err
// none, bc_src the failed socket's address (0.0.0.0) and bc_src_port its
// ephemeral port (a port each run chooses: compared as set, through
// bool). goha logs the same.
func TestFailedConnectBcFetchesMatchHAProxy(t *testing.T) {
	web := loopback.StartWeb(t, "w")
	format := `%ft ST=%ST ts=%tsc s=%s bc_dst=%[bc_dst] bc_dst_port=%[bc_dst_port] bc_http_major=%[bc_http_major] bc_err=%[bc_err] bc_err_str=%[bc_err_str] ` +
		`bc_src=%[bc_src] bc_src_port=%[bc_src_port,bool] rc=%rc`
	cases := []headCase{
		{"refused", "    default_backend dead\n", []headStep{{0, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"}}},
		{"served", "    default_backend live\n", []headStep{{0, "GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"}}},
	}
	backends := "backend dead\n    retries 1\n    server s1 " + loopback.DeadAddr(t) + "\nbackend live\n    server s1 " + web.Addr + "\n"
	runHeadCases(t, cases, format, backends, 1)
}
