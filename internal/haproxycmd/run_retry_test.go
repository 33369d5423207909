package haproxycmd

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/haproxytest"
	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// retryLogLines runs bin with three backends that fail connections in
// different ways, sends one GET to each (one frontend per backend, so the
// lines cannot be confused) and returns the traffic lines in that order,
// with how long each request took.
//
//	redisp: web1 refuses, web2 serves; roundrobin + option redispatch:
//	        the retry goes to web2 at once ("+1", Tc of that attempt)
//	same:   one refusing server, retries 2: two turn-arounds of
//	        min(timeout connect, 1s), then 503 SC, %rc 2, Tc -1
//	hash:   balance uri, two refusing servers, retries 2 + redispatch:
//	        one turn-around, then the last retry is redispatched at once
func retryLogLines(t *testing.T, bin string) ([]string, []time.Duration, string) {
	t.Helper()
	web := loopback.StartWeb(t, "server1")
	syslog := loopback.ListenUDP(t)
	binds := []string{loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)}
	stats := filepath.Join(t.TempDir(), "stats")
	startWithConfig(t, bin, fmt.Sprintf(`global
    log %s local2
    stats socket %s level admin
defaults
    mode http
    log global
    option httplog
    timeout connect 300ms
    timeout client 5s
    timeout server 5s
frontend redisp
    bind %s
    default_backend redisp
frontend same
    bind %s
    default_backend same
frontend hash
    bind %s
    default_backend hash
backend redisp
    option redispatch
    server web1 %s
    server web2 %s
backend same
    retries 2
    server web1 %s
backend hash
    balance uri
    retries 2
    option redispatch
    server web1 %s
    server web2 %s
`, syslog.LocalAddr(), stats, binds[0], binds[1], binds[2], loopback.DeadAddr(t), web.Addr, loopback.DeadAddr(t), loopback.DeadAddr(t), loopback.DeadAddr(t)), binds...)
	var took []time.Duration
	for i, want := range []string{"200 server1", "503 ", "503 "} {
		start := time.Now()
		if got := loopback.Get(t, binds[i]); !strings.HasPrefix(got, want) {
			t.Errorf("%s: request %d answered %q, want %q", bin, i, got, want)
		}
		took = append(took, time.Since(start))
	}
	lines := make([]string, 3)
	header := regexp.MustCompile(`^<\d+>[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d [a-z]+\[\d+\]: `)
	n := 0
	readSyslog(syslog, func(l string) bool {
		if !strings.Contains(l, "GET / HTTP/1.1") {
			return true
		}
		l = header.ReplaceAllString(strings.TrimSuffix(l, "\n"), "")
		for i, fe := range []string{" redisp ", " same ", " hash "} {
			if strings.Contains(l, fe) && lines[i] == "" {
				lines[i] = l
				n++
			}
		}
		return n < 3
	})
	return lines, took, retryCounters(t, haproxytest.StatsCmd(t, stats, "show stat"))
}

// retryCounters extracts econ, wretr and wredis of every backend and
// server from `show stat`.
func retryCounters(t *testing.T, csv string) string {
	t.Helper()
	rows := strings.Split(strings.TrimSpace(csv), "\n")
	if len(rows) < 2 || !strings.HasPrefix(rows[0], "# ") {
		t.Fatalf("show stat: %q", csv)
	}
	col := map[string]int{}
	for i, h := range strings.Split(strings.TrimPrefix(rows[0], "# "), ",") {
		col[h] = i
	}
	var out []string
	for _, r := range rows[1:] {
		f := strings.Split(r, ",")
		if len(f) <= col["wredis"] || f[col["svname"]] == "FRONTEND" {
			continue
		}
		out = append(out, fmt.Sprintf("%s/%s econ=%s wretr=%s wredis=%s", f[col["pxname"]], f[col["svname"]],
			f[col["econ"]], f[col["wretr"]], f[col["wredis"]]))
	}
	return strings.Join(out, "\n")
}

// maskRetryLine keeps what the retry logic decides: backend/server,
// whether Tc was reached (-1 or not), status, termination state and %rc
// (with its '+'); it blanks ports, dates, the other timers and counts.
func maskRetryLine(l string) string {
	for _, m := range []struct{ re, with string }{
		{`127\.0\.0\.1:\d+`, "127.0.0.1:P"},
		{`\[\d\d/[A-Z][a-z]{2}/\d{4}:[0-9:.]+\]`, "[DATE]"},
		{` -?\d+/-?\d+/(-1|\d+)/-?\d+/-?\d+ (\d{3}) \d+ `, " T/T/Tc=$1/T/T $2 B "},
		{`Tc=\d+`, "Tc=set"},
		{` (\S{4}) \d+/\d+/\d+/\d+/(\+?\d+) \d+/\d+ `, " $1 C/C/C/C/$2 Q/Q "},
	} {
		l = regexp.MustCompile(m.re).ReplaceAllString(l, m.with)
	}
	return l
}

// Retries and redispatch as HAProxy 2.6 logs, counts and times them: the
// same three failures through haproxy and gohaproxy, lines compared masked,
// `show stat` econ/wretr/wredis compared,
// and the turn-arounds counted from the request durations (300 ms each;
// a bound of one turn-around either way, so a loaded machine passes).
func TestRetryLogsMatchHAProxy(t *testing.T) {
	hp := testenv.LookPath(t, "haproxy")
	want, _, wantStats := retryLogLines(t, hp)
	got, took, gotStats := retryLogLines(t, gohaproxy)
	t.Logf("show stat counters (both):\n%s", gotStats)
	if wantStats != gotStats {
		t.Errorf("show stat counters:\n haproxy\n%s\n gohaproxy\n%s", wantStats, gotStats)
	}
	for i := range want {
		t.Logf("haproxy   %s\ngohaproxy %s (%v)", want[i], got[i], took[i])
		if w, g := maskRetryLine(want[i]), maskRetryLine(got[i]); w != g || w == "" {
			t.Errorf("line %d:\n haproxy   %s\n gohaproxy %s", i, w, g)
		}
	}
	turn := 300 * time.Millisecond
	for i, waits := range []int{0, 2, 1} {
		if lo, hi := time.Duration(waits)*turn, time.Duration(waits+1)*turn; took[i] < lo || took[i] >= hi+turn {
			t.Errorf("request %d took %v: want %d turn-around(s) of %v", i, took[i], waits, turn)
		}
	}
}
