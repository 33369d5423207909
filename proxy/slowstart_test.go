package proxy

import (
	"testing"
	"time"

	"github.com/goha-lb/goha/proxy/balance"
)

// The slow-start ramp at known points of a fake clock, as HAProxy 2.6
// computes it (server_recalc_eweight) and shows it (`show stat` weight
// and throttle): whole seconds since the server came up, the factor in
// sixteenths, the weight rounded up.
func TestWarmupFactorRamp(t *testing.T) {
	up := time.Unix(1000, 700e6) // HAProxy keeps last_change in whole seconds
	for _, c := range []struct {
		ss              time.Duration
		weight          int
		after           time.Duration
		factor          int
		done            bool
		shown, throttle int
	}{
		{4 * time.Second, 100, 0, 1, false, 7, 6},
		{4 * time.Second, 100, 200 * time.Millisecond, 1, false, 7, 6},
		{4 * time.Second, 100, 300 * time.Millisecond, 5, false, 32, 31}, // the next whole second
		{4 * time.Second, 100, 1300 * time.Millisecond, 9, false, 57, 56},
		{4 * time.Second, 100, 2300 * time.Millisecond, 13, false, 82, 81},
		{4 * time.Second, 100, 3300 * time.Millisecond, 16, true, 100, 100},
		{10 * time.Second, 37, 300 * time.Millisecond, 2, false, 5, 12}, // HAProxy's readings: 5/12, 12/31, 17/43, 21/56, 24/62, 31/81, 35/93
		{10 * time.Second, 37, 4300 * time.Millisecond, 9, false, 21, 56},
		{10 * time.Second, 37, 5300 * time.Millisecond, 10, false, 24, 62},
		{10 * time.Second, 37, 8300 * time.Millisecond, 15, false, 35, 93},
		{10 * time.Second, 37, 9300 * time.Millisecond, 16, true, 37, 100},
		{1500 * time.Millisecond, 10, 300 * time.Millisecond, 9, false, 6, 56}, // 1.5s counts as 2s
		{10 * time.Second, 37, -2 * time.Second, 16, true, 37, 100},            // clock went back
		{10 * time.Second, 0, 300 * time.Millisecond, 2, false, 0, 100},
	} {
		f, done := WarmupFactor(up, up.Add(c.after), c.ss)
		if f != c.factor || done != c.done {
			t.Errorf("%v/%v: factor %d done %v, want %d %v", c.ss, c.after, f, done, c.factor, c.done)
		}
		if w := balance.WarmedWeight(c.weight, f); w != c.shown {
			t.Errorf("%v/%v: weight %d, want %d", c.ss, c.after, w, c.shown)
		}
		if th := balance.Throttle(c.weight, f); th != c.throttle {
			t.Errorf("%v/%v: throttle %d, want %d", c.ss, c.after, th, c.throttle)
		}
	}
}

func TestWarmupEvery(t *testing.T) {
	for ss, want := range map[time.Duration]time.Duration{
		time.Second: time.Second, 10 * time.Second: time.Second, 60 * time.Second: 3 * time.Second,
	} {
		if got := warmupEvery(ss); got != want {
			t.Errorf("warmupEvery(%v) = %v, want %v", ss, got, want)
		}
	}
}
