package proxy

import (
	"testing"
	"time"
)

// The rate reads as HAProxy's read_freq_ctr: the current second's count
// plus the previous one's share of the time left; a slow rate reads as
// the last second's count; nothing after two idle seconds.
func TestFreqRate(t *testing.T) {
	base := time.Unix(1000, 0)
	for _, tc := range []struct {
		curr, prev int64
		at         time.Duration // after the counter's second began
		want       int64
	}{
		{curr: 5, prev: 0, at: 0, want: 5},
		{curr: 5, prev: 10, at: 250 * time.Millisecond, want: 12},
		{curr: 0, prev: 1, at: 900 * time.Millisecond, want: 1},
		{curr: 8, prev: 2, at: time.Second + 500*time.Millisecond, want: 4}, // a second later: 8 is the past
		{curr: 1, prev: 0, at: time.Second + 500*time.Millisecond, want: 1},
		{curr: 8, prev: 2, at: 2 * time.Second, want: 0},
	} {
		if got := freqRate(base.Unix(), tc.curr, tc.prev, base.Add(tc.at)); got != tc.want {
			t.Errorf("curr %d prev %d at %v: %d, want %d", tc.curr, tc.prev, tc.at, got, tc.want)
		}
	}
	var r rateCounter
	for range 3 {
		r.add(base)
	}
	r.add(base.Add(time.Second))
	if rate, m := r.read(base.Add(time.Second)); rate != 4 || m != 3 {
		t.Errorf("rate %d max %d, want 4 and 3", rate, m)
	}
}

func TestReusePct(t *testing.T) {
	for _, tc := range []struct{ keys, conns, want int64 }{
		{0, 0, 0}, {3, 3, 0}, {0, 4, 100}, {1, 4, 75}, {1, 3, 67}, {2, 3, 33}, {5, 3, 0},
	} {
		if got := reusePct(tc.keys, tc.conns); got != tc.want {
			t.Errorf("reusePct(%d, %d) = %d, want %d", tc.keys, tc.conns, got, tc.want)
		}
	}
}
