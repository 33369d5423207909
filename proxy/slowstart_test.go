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

// HAProxy's srv_dynamic_maxconn: minconn, then beconn*maxconn/fullconn,
// then maxconn from fullconn on; a slow start cuts it by the elapsed
// whole percent, never below 1.
func TestDynamicMaxconn(t *testing.T) {
	for _, c := range []struct{ maxc, minc, beconn, full, want int64 }{
		{10, 2, 1, 100, 2}, {10, 2, 30, 100, 3}, {10, 2, 99, 100, 9}, {10, 2, 100, 100, 10},
		{10, 2, 500, 100, 10}, {10, 10, 1, 100, 10}, {10, 2, 6, 20, 3}, {10, 2, 5, 20, 2},
	} {
		if got := DynamicMaxconn(c.maxc, c.minc, c.beconn, c.full); got != c.want {
			t.Errorf("DynamicMaxconn(%d, %d, %d, %d) = %d, want %d", c.maxc, c.minc, c.beconn, c.full, got, c.want)
		}
	}
	since := int64(1000)
	for _, c := range []struct {
		after       int64
		limit, want int64
	}{{0, 10, 1}, {1, 10, 2}, {2, 10, 5}, {3, 10, 7}, {4, 10, 10}, {-1, 10, 10}, {1, 100, 25}} {
		if got := WarmMaxconn(c.limit, since, time.Unix(since+c.after, 500e6), 4*time.Second); got != c.want {
			t.Errorf("WarmMaxconn(%d) after %ds = %d, want %d", c.limit, c.after, got, c.want)
		}
	}
}
