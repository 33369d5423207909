package check

import (
	"cmp"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock fires timers synchronously inside Advance, in time order.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	timers []*fakeTimer
}

type fakeTimer struct {
	c       *fakeClock
	at      time.Time
	f       func()
	stopped bool
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) AfterFunc(d time.Duration, f func()) Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &fakeTimer{c: c, at: c.now.Add(d), f: f}
	c.timers = append(c.timers, t)
	return t
}

func (t *fakeTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	if t.stopped {
		return false
	}
	t.stopped = true
	return true
}

// Advance moves time forward by d, running due timers in order.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	end := c.now.Add(d)
	c.mu.Unlock()
	for {
		c.mu.Lock()
		var next *fakeTimer
		for _, t := range c.timers {
			if !t.stopped && !t.at.After(end) && (next == nil || t.at.Before(next.at)) {
				next = t
			}
		}
		if next == nil {
			c.now = end
			c.mu.Unlock()
			return
		}
		next.stopped = true
		c.now = next.at
		c.mu.Unlock()
		next.f()
	}
}

// scripted answers probes from a per-address script of pass/fail and
// records when each probe ran.
type scripted struct {
	clock *fakeClock
	mu    sync.Mutex
	plan  map[string][]Result
	times map[string][]time.Duration
	start time.Time
}

func (p *scripted) Probe(_ context.Context, addr string, _ Timeouts) Result {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.times[addr] = append(p.times[addr], p.clock.Now().Sub(p.start))
	q := p.plan[addr]
	if len(q) == 0 {
		return Result{Status: L4OK}
	}
	r := q[0]
	if len(q) > 1 {
		p.plan[addr] = q[1:]
	}
	return r
}

var (
	refused = Result{Status: L4CON, Info: "Connection refused"}
	ok200   = Result{Status: L7OK, Code: 200, Info: "OK"}
)

// The timeline measured on haproxy 2.6 (doc.go): inter 1s, fastinter
// 200ms, downinter 3s, rise 2, fall 3; the server dies after 3.5s and
// returns 9s later.
func TestRunnerTimelineLikeHAProxy(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{
		"a": {ok200, ok200, ok200, ok200, refused, refused, refused, refused, refused, refused, ok200},
	}}
	var lines []string
	var events []bool
	target := &Target{Backend: "servers", Server: "web1", Addr: "a", Rise: 2, Fall: 3, Prober: p, LogHealthChecks: true,
		Intervals: Intervals{Inter: time.Second, FastInter: 200 * time.Millisecond, DownInter: 3 * time.Second},
		Timeouts:  CheckTimeouts(time.Second, 0, 0)}
	r := mustRunner(t, []*Target{target}, RunnerOptions{Clock: clock,
		Apply: func(e Event) { events = append(events, e.Up) },
		Log:   func(l Line) { lines = append(lines, fmt.Sprintf("[%d] %s", l.Severity, l.Text)) }})
	r.Start()
	clock.Advance(20 * time.Second)
	r.Stop()
	var ms []string
	for _, d := range p.times["a"] {
		ms = append(ms, fmt.Sprint(d.Milliseconds()))
	}
	// first check at once; a success makes the fresh server fully healthy,
	// then inter while full, fastinter while failing, downinter while down.
	wantTimes := "0 1000 2000 3000 4000 4200 4400 7400 10400 13400 16400 16600 17600"
	if got := strings.Join(ms, " "); !strings.HasPrefix(got, wantTimes) {
		t.Errorf("check times\ngot  %s\nwant %s...", got, wantTimes)
	}
	want := []string{
		"[5] Health check for server servers/web1 succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
		"[5] Health check for server servers/web1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 2/3 UP.",
		"[5] Health check for server servers/web1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 1/3 UP.",
		"[5] Health check for server servers/web1 failed, reason: Layer4 connection problem, info: \"Connection refused\", check duration: 0ms, status: 0/2 DOWN.",
		"[1] Server servers/web1 is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
		"[0] backend servers has no server available!",
		"[5] Health check for server servers/web1 succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 1/2 DOWN.",
		"[5] Health check for server servers/web1 succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
		"[5] Server servers/web1 is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\ngot:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	if fmt.Sprint(events) != "[false true]" {
		t.Errorf("events %v", events)
	}
	if h, last, ok := r.State("servers", "web1"); !ok || !h.Up() || last.Status != L7OK {
		t.Errorf("state %v %+v %v", h.Status(), last, ok)
	}
}

// Without log-health-checks only transitions are logged, with the reason;
// backups and "Running on backup" are worded as HAProxy does; the spread of
// first checks follows start_checks.
func TestRunnerTransitionsAndSpread(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{
		"a": {refused}, "b": {ok200}, "c": {ok200, Result{Status: L7STS, Code: 503, Info: "Service Unavailable", Duration: 3 * time.Millisecond}},
	}}
	var lines []string
	mk := func(name, addr string, backup bool) *Target {
		return &Target{Backend: "servers", Server: name, Addr: addr, Backup: backup, Prober: p, Rise: 2, Fall: 1,
			Intervals: sameIntervals(1500 * time.Millisecond), Timeouts: CheckTimeouts(1500*time.Millisecond, 0, 0)}
	}
	r := mustRunner(t, []*Target{mk("web1", "a", false), mk("web2", "b", false), mk("bk", "c", true)}, RunnerOptions{Clock: clock,
		Log: func(l Line) { lines = append(lines, l.Text) }})
	r.Start()
	clock.Advance(1400 * time.Millisecond)
	if a, b, c := p.times["a"], p.times["b"], p.times["c"]; len(a) != 1 || a[0] != 0 || len(b) != 1 || b[0] != 500*time.Millisecond || len(c) != 1 || c[0] != time.Second {
		t.Errorf("spread: %v %v %v", a, b, c)
	}
	clock.Advance(2000 * time.Millisecond)
	r.Stop()
	want := []string{
		`Server servers/web1 is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 1 active and 1 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
		`Backup Server servers/bk is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 3ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
	}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("got:\n%s\nwant:\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}

func TestRunnerCountsHookAndRunningOnBackup(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{"a": {refused}}}
	var lines []Line
	r := mustRunner(t, []*Target{{Backend: "be", Server: "s", Addr: "a", Prober: p, Rise: 2, Fall: 3,
		Intervals: sameIntervals(2 * time.Second), Timeouts: CheckTimeouts(2*time.Second, 0, 0)}}, RunnerOptions{Clock: clock,
		Counts: func(b, s string) BackendCounts { return BackendCounts{Active: 0, Backup: 2, Sessions: 4, Queued: 1} },
		Log:    func(l Line) { lines = append(lines, l) }})
	r.Start()
	clock.Advance(time.Millisecond)
	r.Stop()
	if len(lines) != 1 || lines[0].Severity != Alert || lines[0].Text !=
		`Server be/s is DOWN, reason: Layer4 connection problem, info: "Connection refused", check duration: 0ms. 0 active and 2 backup servers left. Running on backup. 4 sessions active, 0 requeued, 1 remaining in queue.` {
		t.Errorf("%+v", lines)
	}
}

func TestNoServerLineForms(t *testing.T) {
	l := NoServerLine("servers")
	if l.Text != "backend servers has no server available!" || l.Stderr != "backend 'servers' has no server available!" || !l.StderrAlert || l.Severity != Emerg {
		t.Errorf("%+v", l)
	}
	up := UpLine("b", "s", true, Result{Status: L4OK, Duration: 2 * time.Millisecond}, BackendCounts{Backup: 1}, false)
	if up.Text != "Backup Server b/s is UP, reason: Layer4 check passed, check duration: 2ms. 0 active and 1 backup servers online. Running on backup. 0 sessions requeued, 0 total in queue." {
		t.Errorf("%q", up.Text)
	}
}

func TestStopCancelsPending(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{}}
	r := mustRunner(t, []*Target{{Backend: "b", Server: "s", Addr: "a", Prober: p, Rise: 2, Fall: 3,
		Intervals: sameIntervals(2 * time.Second), Timeouts: CheckTimeouts(2*time.Second, 0, 0)}}, RunnerOptions{Clock: clock})
	r.Start()
	clock.Advance(time.Millisecond)
	done := make(chan struct{})
	go func() { r.Stop(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop hangs with a pending timer")
	}
	clock.Advance(time.Minute)
	if n := len(p.times["a"]); n != 1 {
		t.Errorf("%d probes, want 1 (none after Stop)", n)
	}
}

// Maintenance stops the checks; leaving it makes the server UP with fresh
// health and checks it at once, so a bad server goes DOWN at the first
// failure, as measured on haproxy 2.6 ("enable server" then "is DOWN").
func TestRunnerMaintenance(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{
		"a": {ok200}, "b": {Result{Status: L7STS, Code: 503, Info: "Service Unavailable"}},
	}}
	var lines []string
	var events []string
	r := mustRunner(t, []*Target{
		{Backend: "A", Server: "ok", Addr: "a", Prober: p, Disabled: true, Rise: 2, Fall: 3,
			Intervals: sameIntervals(500 * time.Millisecond), Timeouts: CheckTimeouts(500*time.Millisecond, 0, 0)},
		{Backend: "A", Server: "bad", Addr: "b", Prober: p, Disabled: true, Rise: 2, Fall: 3,
			Intervals: sameIntervals(500 * time.Millisecond), Timeouts: CheckTimeouts(500*time.Millisecond, 0, 0)},
	}, RunnerOptions{Clock: clock,
		Apply: func(e Event) { events = append(events, fmt.Sprintf("%s:%v", e.Target.Server, e.Up)) },
		Log:   func(l Line) { lines = append(lines, l.Text) }})
	r.Start()
	clock.Advance(3 * time.Second)
	if len(p.times["a"])+len(p.times["b"]) != 0 {
		t.Fatalf("disabled servers were checked: %v", p.times)
	}
	if !r.SetMaintenance("A", "ok", false) || !r.SetMaintenance("A", "bad", false) || r.SetMaintenance("A", "nope", false) {
		t.Fatal("SetMaintenance lookup")
	}
	clock.Advance(0)
	if len(p.times["a"]) != 1 || len(p.times["b"]) != 1 {
		t.Fatalf("not checked at once when leaving maintenance: %v", p.times)
	}
	want := []string{`Server A/bad is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 1 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`}
	if strings.Join(lines, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s", strings.Join(lines, "\n"))
	}
	if got := strings.Join(events, " "); got != "bad:false" {
		t.Errorf("events %s", got)
	}
	r.SetMaintenance("A", "ok", true)
	n := len(p.times["a"])
	clock.Advance(5 * time.Second)
	if len(p.times["a"]) != n {
		t.Errorf("checks continued in maintenance")
	}
	r.Stop()
}

func TestSpreadChecks(t *testing.T) {
	for _, tc := range []struct {
		pct  int
		rnd  float64
		want time.Duration
	}{
		{0, 0.9, time.Second},
		{5, 0, 1050 * time.Millisecond},
		{5, 0.5, time.Second},
		{5, 0.999999, 950 * time.Millisecond},
		{80, 0, 1500 * time.Millisecond}, // capped at 50 like the keyword
	} {
		r := mustRunner(t, nil, RunnerOptions{SpreadChecks: tc.pct, Rand: func() float64 { return tc.rnd }})
		if got := r.spread(time.Second); got.Round(time.Millisecond) != tc.want {
			t.Errorf("spread %d%% rnd %v: %v want %v", tc.pct, tc.rnd, got, tc.want)
		}
	}
}

// http-check disable-on-404 as measured on haproxy 2.6: a 404 drains an UP
// server ("is stopping"), a 200 brings it back, a 404 while DOWN is a
// plain failure.
func TestRunnerDisableOn404(t *testing.T) {
	ok := Result{Status: L7OK, Code: 200, Info: "OK"}
	nf := Result{Status: L7OKC, Code: 404, Info: "Not Found", on404: true}
	bad := Result{Status: L7STS, Code: 503, Info: "Service Unavailable"}
	plan := []Result{ok, nf, nf, nf, ok, ok, bad, bad, bad, nf, nf, nf, ok, ok}
	for _, logHC := range []bool{true, false} {
		clock := newFakeClock()
		p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{"a": append([]Result(nil), plan...)}}
		var lines, events []string
		r := mustRunner(t, []*Target{{Backend: "B", Server: "s", Addr: "a", Prober: p, LogHealthChecks: logHC, Rise: 2, Fall: 3,
			Intervals: sameIntervals(300 * time.Millisecond), Timeouts: CheckTimeouts(300*time.Millisecond, 0, 0)}},
			RunnerOptions{Clock: clock,
				Apply: func(e Event) { events = append(events, fmt.Sprintf("up=%v drain=%v", e.Up, e.Drain)) },
				Log:   func(l Line) { lines = append(lines, fmt.Sprintf("[%d] %s", l.Severity, l.Text)) }})
		r.Start()
		clock.Advance(time.Duration(len(plan)-1) * 300 * time.Millisecond)
		r.Stop()
		want := []string{
			"[5] Health check for server B/s succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
			"[5] Health check for server B/s conditionally succeeded, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms, status: 3/3 UP.",
			"[5] Server B/s is stopping. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
			"[0] backend B has no server available!",
			"[5] Health check for server B/s succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
			"[5] Server B/s is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
			`[5] Health check for server B/s failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms, status: 2/3 UP.`,
			`[5] Health check for server B/s failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms, status: 1/3 UP.`,
			`[5] Health check for server B/s failed, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms, status: 0/2 DOWN.`,
			"[1] Server B/s is DOWN. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.",
			"[0] backend B has no server available!",
			"[5] Health check for server B/s succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 1/2 DOWN.",
			"[5] Health check for server B/s succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
			"[5] Server B/s is UP. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
		}
		if !logHC {
			want = []string{
				"[5] Server B/s is stopping, reason: Layer7 check conditionally passed, code: 404, check duration: 0ms. 0 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
				"[0] backend B has no server available!",
				"[5] Server B/s is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
				`[1] Server B/s is DOWN, reason: Layer7 wrong status, code: 503, info: "Service Unavailable", check duration: 0ms. 0 active and 0 backup servers left. 0 sessions active, 0 requeued, 0 remaining in queue.`,
				"[0] backend B has no server available!",
				"[5] Server B/s is UP, reason: Layer7 check passed, code: 200, check duration: 0ms. 1 active and 0 backup servers online. 0 sessions requeued, 0 total in queue.",
			}
		}
		if strings.Join(lines, "\n") != strings.Join(want, "\n") {
			t.Errorf("log-health-checks=%v\ngot:\n%s\nwant:\n%s", logHC, strings.Join(lines, "\n"), strings.Join(want, "\n"))
		}
		if got := strings.Join(events, ", "); got != "up=true drain=true, up=true drain=false, up=false drain=false, up=true drain=false" {
			t.Errorf("events: %s", got)
		}
	}
}

// From stopping straight to DOWN the line is a notice, not an alert, and
// the backend's "has no server available!" is not told again: the
// stopping server was not counted (HAProxy 2.6 measured in
// TestServerTrackStoppingMatchHAProxy).
func TestRunnerStoppingThenDown(t *testing.T) {
	clock := newFakeClock()
	nf := Result{Status: L7OKC, Code: 404, Info: "Not Found", on404: true}
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{"a": {nf, refused, refused, refused}}}
	var lines []Line
	r := mustRunner(t, []*Target{{Backend: "B", Server: "s", Addr: "a", Prober: p, Rise: 2, Fall: 3,
		Intervals: sameIntervals(time.Second), Timeouts: CheckTimeouts(time.Second, 0, 0)}},
		RunnerOptions{Clock: clock, Log: func(l Line) { lines = append(lines, l) }})
	r.Start()
	clock.Advance(3 * time.Second)
	r.Stop()
	if len(lines) != 3 || !strings.Contains(lines[2].Text, "is DOWN") || lines[2].Severity != Notice {
		t.Errorf("%+v", lines)
	}
}

// The first checks' spread measured on haproxy 2.6 with four servers:
// inter 3s, 3s, 1.5s (fastinter 1.2s) and 0.9s start at 0, 750, 600 and
// 900 ms.
func TestRunnerStartSpreadLikeHAProxy(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{}}
	ms := time.Millisecond
	mk := func(addr string, iv Intervals) *Target {
		iv.FastInter, iv.DownInter = cmp.Or(iv.FastInter, iv.Inter), cmp.Or(iv.DownInter, iv.Inter)
		return &Target{Backend: "A", Server: addr, Addr: addr, Prober: p, Rise: 2, Fall: 3, Intervals: iv, Timeouts: CheckTimeouts(iv.Inter, 0, 0)}
	}
	r := mustRunner(t, []*Target{
		mk("s1", Intervals{Inter: 3000 * ms}), mk("s2", Intervals{Inter: 3000 * ms}),
		mk("s3", Intervals{Inter: 1500 * ms, FastInter: 1200 * ms}), mk("s4", Intervals{Inter: 900 * ms}),
	}, RunnerOptions{Clock: clock})
	r.Start()
	clock.Advance(950 * ms)
	r.Stop()
	want := map[string]time.Duration{"s1": 0, "s2": 750 * ms, "s3": 600 * ms, "s4": 900 * ms}
	for addr, at := range want {
		if got := p.times[addr]; len(got) == 0 || got[0] != at {
			t.Errorf("%s first check at %v, want %v", addr, got, at)
		}
	}
}

// sameIntervals are the intervals of a server line with `inter d` alone:
// fastinter and downinter are inter (as proxy/haproxycfg fills them).
func sameIntervals(d time.Duration) Intervals {
	return Intervals{Inter: d, FastInter: d, DownInter: d}
}

// NewRunner defaults nothing: proxy/haproxycfg fills HAProxy's defaults,
// and a target missing one is refused.
func TestNewRunnerRefusesZeroValues(t *testing.T) {
	good := func() *Target {
		return &Target{Backend: "b", Server: "s", Addr: "a", Rise: 2, Fall: 3, Intervals: sameIntervals(time.Second),
			Timeouts: CheckTimeouts(time.Second, 0, 0), Prober: HTTPProbe{Request: defaultRequest}}
	}
	if _, err := NewRunner([]*Target{good()}, RunnerOptions{}); err != nil {
		t.Fatalf("complete target refused: %v", err)
	}
	for name, spoil := range map[string]func(*Target){
		"rise":         func(t *Target) { t.Rise = 0 },
		"fall":         func(t *Target) { t.Fall = 0 },
		"inter":        func(t *Target) { t.Inter = 0 },
		"fastinter":    func(t *Target) { t.FastInter = 0 },
		"downinter":    func(t *Target) { t.DownInter = 0 },
		"connect":      func(t *Target) { t.Timeouts.Connect = 0 },
		"total":        func(t *Target) { t.Timeouts.Total = 0 },
		"prober":       func(t *Target) { t.Prober = nil },
		"http method":  func(t *Target) { t.Prober = HTTPProbe{Request: ProbeRequest{URI: "/", Version: "HTTP/1.0"}} },
		"http uri":     func(t *Target) { t.Prober = HTTPProbe{Request: ProbeRequest{Method: "GET", Version: "HTTP/1.0"}} },
		"http version": func(t *Target) { t.Prober = HTTPProbe{Request: ProbeRequest{Method: "GET", URI: "/"}} },
	} {
		tg := good()
		spoil(tg)
		if _, err := NewRunner([]*Target{good(), tg}, RunnerOptions{}); err == nil || !strings.Contains(err.Error(), "b/s") {
			t.Errorf("%s: zero value accepted (err %v)", name, err)
		}
	}
}
