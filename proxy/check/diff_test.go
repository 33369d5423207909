package check

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/internal/loopback"
	"github.com/goha-lb/goha/internal/testenv"
)

// TestDifferentialLogLines runs the real haproxy and our Runner against the
// same loopback servers and compares the check log lines (durations
// normalised: they are timing, not behaviour). Each scenario is a backend
// whose servers change state at their first check, so the lines do not
// depend on scheduling.
func TestDifferentialLogLines(t *testing.T) {
	testenv.LookPath(t, "haproxy")
	const okReply = "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello world"
	ok := startRaw(t, okReply, false)
	unavailable := startRaw(t, "HTTP/1.0 503 Service Unavailable\r\n\r\n", false)
	garbage := startRaw(t, "foo bar\r\n\r\n", false)
	hang := startRaw(t, "", true)
	notFound := startRaw(t, "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n", false)
	closed := loopback.DeadAddr(t)

	type srv struct {
		name, addr string
		backup     bool
	}
	type scenario struct {
		name    string
		lines   []string // backend lines for haproxy
		servers []srv
		probe   Prober
		logHC   bool
		to      Timeouts
	}
	expect := func(w ...string) []Expect {
		e, err := parseExpect(w)
		if err != nil {
			t.Fatal(err)
		}
		return []Expect{e}
	}
	scenarios := []scenario{
		{name: "tcprefused", lines: []string{"mode tcp"}, servers: []srv{{"s1", closed, false}, {"s2", ok.addr(), false}}, probe: TCPProbe{}},
		{name: "tcpbackup", lines: []string{"mode tcp"}, servers: []srv{{"a", closed, false}, {"b", ok.addr(), true}}, probe: TCPProbe{}},
		{name: "http503", lines: []string{"option httpchk"}, servers: []srv{{"s1", unavailable.addr(), false}}, probe: HTTPProbe{Request: defaultRequest}},
		{name: "garbage", lines: []string{"option httpchk"}, servers: []srv{{"s1", garbage.addr(), false}}, probe: HTTPProbe{Request: defaultRequest}},
		{name: "nomatch", lines: []string{"option httpchk", "http-check expect string nope"}, servers: []srv{{"s1", ok.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest, Expects: expect("string", "nope")}},
		{name: "notstatus", lines: []string{"option httpchk", "http-check expect ! status 200"}, servers: []srv{{"s1", ok.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest, Expects: expect("!", "status", "200")}},
		{name: "hang", lines: []string{"option httpchk", "timeout check 200"}, servers: []srv{{"s1", hang.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest}, to: CheckTimeouts(300*time.Millisecond, time.Second, 200*time.Millisecond)},
		{name: "loghcok", lines: []string{"option httpchk", "option log-health-checks"}, servers: []srv{{"s1", ok.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest}, logHC: true},
		{name: "loghcdown", lines: []string{"option httpchk", "option log-health-checks"}, servers: []srv{{"s1", unavailable.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest}, logHC: true},
		{name: "on404", lines: []string{"option httpchk", "http-check disable-on-404"}, servers: []srv{{"s1", notFound.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest, DisableOn404: true}},
		{name: "on404hc", lines: []string{"option httpchk", "http-check disable-on-404", "option log-health-checks"}, servers: []srv{{"s1", notFound.addr(), false}},
			probe: HTTPProbe{Request: defaultRequest, DisableOn404: true}, logHC: true},
		{name: "loghcbk", lines: []string{"option log-health-checks"}, servers: []srv{{"bk", closed, true}},
			probe: TCPProbe{}, logHC: true},
	}

	var cfg strings.Builder
	fmt.Fprintf(&cfg, "global\n    log stdout format raw local0\ndefaults\n    mode http\n    log global\n    timeout connect 1s\n    timeout client 5s\n    timeout server 5s\n")
	var targets []*Target
	for _, sc := range scenarios {
		fmt.Fprintf(&cfg, "backend %s\n", sc.name)
		for _, l := range sc.lines {
			fmt.Fprintf(&cfg, "    %s\n", l)
		}
		for _, s := range sc.servers {
			bk := ""
			if s.backup {
				bk = " backup"
			}
			fmt.Fprintf(&cfg, "    server %s %s check inter 300%s\n", s.name, s.addr, bk)
			targets = append(targets, &Target{Backend: sc.name, Server: s.name, Backup: s.backup, Addr: s.addr,
				Rise: 2, Fall: 3, Intervals: sameIntervals(300 * time.Millisecond), Prober: sc.probe, LogHealthChecks: sc.logHC,
				Timeouts: cmp.Or(sc.to, CheckTimeouts(300*time.Millisecond, 0, 0))})
		}
	}
	front := loopback.FreeAddr(t)
	fmt.Fprintf(&cfg, "frontend fe\n    bind %s\n    default_backend http503\n", front)

	const window = 1500 * time.Millisecond
	want := runHAProxyLines(t, cfg.String(), window)

	got := runGohaLines(t, targets, window)

	norm := func(lines []string) string { return strings.Join(normCheckLines(lines), "\n") }
	if w, g := norm(want), norm(got); w != g {
		t.Errorf("haproxy:\n%s\n\ngoha:\n%s", w, g)
	}
}

// runHAProxyLines runs haproxy -db for d and returns its log lines (the
// raw stdout log target, not the [WARNING]/[ALERT] stderr copies).
func runHAProxyLines(t *testing.T, cfg string, d time.Duration) []string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haproxy.cfg")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("haproxy", "-db", "-f", path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var lines []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if l := sc.Text(); l != "" && !strings.HasPrefix(l, "[") {
				lines = append(lines, l)
			}
		}
	}()
	time.Sleep(d)
	cmd.Process.Kill()
	<-done
	cmd.Wait()
	return lines
}

// runGohaLines runs the checks of targets for d and returns the lines
// they logged.
func runGohaLines(t *testing.T, targets []*Target, d time.Duration) []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	r := mustRunner(t, targets, RunnerOptions{Log: func(l Line) {
		mu.Lock()
		got = append(got, l.Text)
		mu.Unlock()
	}})
	r.Start()
	time.Sleep(d)
	r.Stop()
	mu.Lock()
	defer mu.Unlock()
	return got
}

var checkDuration = regexp.MustCompile(`check duration: \d+ms`)

// normCheckLines is lines with their check durations masked, sorted.
func normCheckLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, checkDuration.ReplaceAllString(l, "check duration: Nms"))
	}
	sort.Strings(out)
	return out
}
