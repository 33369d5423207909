package stick

import "testing"

// freq_ctr_remain and next_event_delay over a one-second period, at the
// points HAProxy's accept rate limit reads them: a fresh period, a full
// one, the next period sliding the previous one out.
func TestFreqRemainAndNextDelay(t *testing.T) {
	for _, c := range []struct {
		name                  string
		w                     [3]uint32 // tick, curr, prev
		now, freq, pend       uint32
		wantRemain, wantDelay uint32
	}{
		{"empty", [3]uint32{1000, 0, 0}, 1000, 10, 0, 10, 0},
		{"half used", [3]uint32{1000, 5, 0}, 1500, 10, 0, 5, 0},
		{"pending count", [3]uint32{1000, 5, 0}, 1500, 10, 5, 0, 1},
		{"full", [3]uint32{1000, 10, 0}, 1500, 10, 0, 0, 1},
		{"over by 10", [3]uint32{1000, 20, 0}, 1500, 10, 0, 0, 1000},
		{"next period start", [3]uint32{1000, 10, 0}, 2001, 10, 0, 1, 0},
		{"prev still weighs", [3]uint32{2000, 1, 10}, 2001, 10, 0, 0, 99},
		{"prev half gone", [3]uint32{2000, 1, 10}, 2500, 10, 0, 4, 0},
		{"too far", [3]uint32{1000, 50, 0}, 3500, 10, 0, 10, 0},
	} {
		if got := freqRemain(c.w[:], 1000, c.now, c.freq, c.pend); got != c.wantRemain {
			t.Errorf("%s: remain %d, want %d", c.name, got, c.wantRemain)
		}
		if got := freqNextDelay(c.w[:], 1000, c.now, c.freq, c.pend); got != c.wantDelay {
			t.Errorf("%s: delay %d, want %d", c.name, got, c.wantDelay)
		}
	}
}
