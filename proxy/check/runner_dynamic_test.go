package check

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// A target `add server ... check` created: no check until SetEnabled;
// then, in its creation maintenance, health moves from 0 and is logged
// with log-health-checks but no transition is applied or logged; leaving
// maintenance starts it afresh (UP at health rise: one failure takes it
// down, whatever it was);
// RemoveTarget stops it.
func TestRunnerDynamicTarget(t *testing.T) {
	clock := newFakeClock()
	p := &scripted{clock: clock, start: clock.Now(), times: map[string][]time.Duration{}, plan: map[string][]Result{
		"d": {ok200, ok200, refused},
	}}
	var lines, events []string
	r := mustRunner(t, nil, RunnerOptions{Clock: clock,
		Apply: func(e Event) { events = append(events, fmt.Sprintf("%s:%v", e.Target.Server, e.Up)) },
		Log:   func(l Line) { lines = append(lines, l.Text) }})
	r.Start()
	tg := &Target{Backend: "B", Server: "d", Addr: "d", Prober: p, Rise: 2, Fall: 3, LogHealthChecks: true,
		Intervals: sameIntervals(100 * time.Millisecond), Timeouts: CheckTimeouts(100*time.Millisecond, 0, 0)}
	if err := r.AddTarget(tg); err != nil {
		t.Fatal(err)
	}
	if r.AddTarget(tg) == nil {
		t.Error("a second check of B/d was added")
	}
	clock.Advance(time.Second)
	if n := len(p.times["d"]); n != 0 {
		t.Fatalf("checked %d times before SetEnabled", n)
	}
	if h, _, _ := r.State("B", "d"); h.Value() != 0 || h.Up() {
		t.Errorf("initial health %d up %v, want 0 and down", h.Value(), h.Up())
	}
	r.SetEnabled("B", "d", false, true)
	clock.Advance(250 * time.Millisecond) // two checks
	if h, _, _ := r.State("B", "d"); h.Value() != 4 {
		t.Errorf("health after two passes: %d, want 4", h.Value())
	}
	if len(events) != 0 {
		t.Errorf("transitions applied in maintenance: %v", events)
	}
	want := []string{
		"Health check for server B/d succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 1/2 DOWN.",
		"Health check for server B/d succeeded, reason: Layer7 check passed, code: 200, check duration: 0ms, status: 3/3 UP.",
	}
	if got := strings.Join(lines, "\n"); got != strings.Join(want, "\n") {
		t.Errorf("lines in maintenance:\n%s", got)
	}
	r.SetMaintenance("B", "d", false)
	clock.Advance(0) // checked at once: refused, and a fresh health falls at once
	if got := strings.Join(events, " "); got != "d:false" {
		t.Errorf("events after leaving maintenance: %s (checks at %v)", got, p.times["d"])
	}
	r.RemoveTarget("B", "d")
	n := len(p.times["d"])
	clock.Advance(time.Second)
	if len(p.times["d"]) != n {
		t.Error("checked after RemoveTarget")
	}
	if _, _, ok := r.State("B", "d"); ok {
		t.Error("state kept after RemoveTarget")
	}
	r.Stop()
}
