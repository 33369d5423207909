package check

import (
	"testing"
	"time"
)

// The error counter of observe: what counts in each mode, the limit and
// the restart after it, HAProxy's HANA description.
func TestObserverStep(t *testing.T) {
	type step struct {
		a    Analysis
		trip string // "" = not tripped
	}
	for _, tc := range []struct {
		name  string
		mode  ObserveMode
		limit int
		steps []step
	}{
		{"layer7 counts 5xx", ObserveLayer7, 2, []step{{AnaHTTPStatus, ""}, {AnaHTTPStatus, "Detected 2 consecutive errors, last one was: Wrong http response"}, {AnaHTTPStatus, ""}}},
		{"layer7 success resets", ObserveLayer7, 2, []step{{AnaHTTPStatus, ""}, {AnaHTTPOK, ""}, {AnaHTTPStatus, ""}}},
		{"layer7 ignores L4OK", ObserveLayer7, 2, []step{{AnaHTTPStatus, ""}, {AnaL4OK, ""}, {AnaHTTPReadTimeout, "Detected 2 consecutive errors, last one was: Read timeout (http)"}}},
		{"layer7 counts L4 errors", ObserveLayer7, 1, []step{{AnaL4Err, "Detected 1 consecutive errors, last one was: L4 unsuccessful connection"}}},
		{"layer4 ignores HTTP", ObserveLayer4, 1, []step{{AnaHTTPStatus, ""}, {AnaHTTPBrokenPipe, ""}}},
		{"layer4 L4OK resets", ObserveLayer4, 2, []step{{AnaL4Err, ""}, {AnaL4OK, ""}, {AnaL4Err, ""}}},
		{"none", ObserveNone, 1, []step{{AnaL4Err, ""}}},
	} {
		var o observer
		for i, st := range tc.steps {
			tripped, info := o.step(tc.mode, tc.limit, st.a)
			if tripped != (st.trip != "") || info != st.trip {
				t.Errorf("%s: step %d: got %v %q, want %q", tc.name, i, tripped, info, st.trip)
			}
		}
	}
}

func TestHTTPAnalysis(t *testing.T) {
	for code, want := range map[int]Analysis{100: AnaHTTPOK, 200: AnaHTTPOK, 404: AnaHTTPOK, 499: AnaHTTPOK, 500: AnaHTTPStatus,
		501: AnaHTTPOK, 502: AnaHTTPStatus, 505: AnaHTTPOK, 599: AnaHTTPStatus, 99: AnaHTTPStatus} {
		if got := HTTPAnalysis(code); got != want {
			t.Errorf("%d: %v, want %v", code, got, want)
		}
	}
}

// Each on-error mode's effect on a fully healthy server (rise 2, fall 3:
// health 4): the health after its HANA check and whether it is UP.
func TestOnErrorHealth(t *testing.T) {
	for _, tc := range []struct {
		mode   OnError
		health int
		up     bool
	}{
		{OnErrorFastInter, 4, true}, {OnErrorFailCheck, 3, true}, {OnErrorSuddenDeath, 2, true}, {OnErrorMarkDown, 0, false},
	} {
		h := NewHealth(2, 3)
		h.Observe(true)
		if tc.mode.prepare(&h) {
			h.Observe(false)
		}
		if h.Value() != tc.health || h.Up() != tc.up {
			t.Errorf("on-error %d: health %d up %v, want %d %v", tc.mode, h.Value(), h.Up(), tc.health, tc.up)
		}
	}
}

// Runner.Analyze brings the next check forward to fastinter (here in
// fastinter mode, which leaves the health alone) and counts hanafail.
func TestAnalyzeBringsCheckForward(t *testing.T) {
	clk := newFakeClock()
	p := &scripted{clock: clk, plan: map[string][]Result{}, times: map[string][]time.Duration{}, start: clk.Now()}
	tgt := &Target{Backend: "b", Server: "s", Addr: "x", Rise: 2, Fall: 3, Prober: p,
		Intervals: Intervals{Inter: 10 * time.Second, FastInter: time.Second, DownInter: 10 * time.Second},
		Timeouts:  CheckTimeouts(time.Second, 0, 0), Observe: ObserveLayer4, ErrorLimit: 1, OnError: OnErrorFastInter}
	r := mustRunner(t, []*Target{tgt}, RunnerOptions{Clock: clk})
	r.Start()
	defer r.Stop()
	clk.Advance(0) // the first check
	r.Analyze("b", "s", AnaL4Err)
	if n, ok := r.HanaFailed("b", "s"); n != 1 || !ok {
		t.Fatalf("hanafail %d %v", n, ok)
	}
	if h, _, _ := r.State("b", "s"); !h.Full() {
		t.Errorf("fastinter mode changed the health: %d", h.Value())
	}
	clk.Advance(1500 * time.Millisecond)
	if got := p.times["x"]; len(got) != 2 || got[1] != time.Second {
		t.Errorf("checks ran at %v, want [0s 1s]", got)
	}
}
