package stick

import (
	"sync"
	"testing"
)

// TestFreqCtrMatchesFreqUpdate drives a FreqCtr and the table's freq
// words with the same events: the standing counter keeps exactly the
// arithmetic of update_freq_ctr_period / read_freq_ctr_period.
func TestFreqCtrMatchesFreqUpdate(t *testing.T) {
	type ev struct{ at, inc uint32 }
	cases := []struct {
		name   string
		period uint32
		evs    []ev
	}{
		{"one period", 1000, []ev{{0, 1}, {10, 1}, {999, 3}, {1000, 0}}},
		{"rotate once", 1000, []ev{{5, 4}, {1200, 2}, {1500, 0}, {1999, 1}}},
		{"two periods idle", 1000, []ev{{5, 9}, {3001, 1}, {3500, 0}, {4100, 0}}},
		{"odd period", 999, []ev{{1, 7}, {1000, 3}, {1998, 1}, {2997, 2}, {9000, 0}}},
		{"wraps", 1000, []ev{{0xffffff00, 5}, {0x00000010, 2}, {0x00000400, 1}, {0x00000900, 0}}},
		{"read only", 1000, []ev{{0, 0}, {5000, 0}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var f FreqCtr
			w := make([]uint32, 3)
			for _, e := range tc.evs {
				if e.inc > 0 {
					f.Add(tc.period, e.at, e.inc)
					freqUpdate(w, tc.period, e.at, e.inc)
				}
				if got, want := f.Read(tc.period, e.at), freqRead(w, tc.period, e.at); got != want {
					t.Fatalf("at %d: FreqCtr reads %d, freq words %d (w=%v)", e.at, got, want, w)
				}
			}
		})
	}
}

// TestFreqCtrConcurrentAdd: events counted from many goroutines at once,
// in one period and then across a rotation they race to make, are all
// counted once, in the right period (run it under -race too).
func TestFreqCtrConcurrentAdd(t *testing.T) {
	const workers, each = 8, 2000
	var f FreqCtr
	burst := func(now uint32) {
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					f.Add(1000, now, 1)
					if i%97 == 0 {
						f.Read(1000, now)
					}
				}
			}()
		}
		wg.Wait()
	}
	burst(10)
	burst(1500) // one period over: exactly one rotation to tick 1000
	tick, curr, prev := f.snapshot()
	if tick != 1000 || curr != workers*each || prev != workers*each {
		t.Fatalf("tick, curr, prev = %d, %d, %d; want 1000, %d, %d", tick, curr, prev, workers*each, workers*each)
	}
}

// BenchmarkFreqCtrInc is the hot path every request takes up to three
// times (frontend, backend, server): one event counted from all CPUs at
// once on the same counter.
func BenchmarkFreqCtrInc(b *testing.B) {
	var f FreqCtr
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		now := uint32(0)
		for pb.Next() {
			now++
			f.Add(1000, now>>4, 1) // a new ms every 16 events, a rotation now and then
		}
	})
}
