package stick

import (
	"runtime"
	"sync/atomic"
)

// FreqCtr is a freq counter standing alone, as HAProxy keeps a proxy's or a
// server's session and request rates (fe_sess_per_sec, be_sess_per_sec,
// sess_per_sec): the same arithmetic as a table's rate columns, over a
// period of ms milliseconds, without a lock, since every request counts
// in up to three of them (frontend, backend, server).
//
// cur packs the period's start tick (high half) and its count (low half)
// so that an event in the current period is one compare-and-swap. The
// tick is always even, so its low bit is free to mark a rotation in
// progress, as HAProxy's freq_ctr does: the one goroutine that sets it
// writes prev, then publishes the new tick. Adds never wait: one made
// during a rotation lands in the count the new period starts with.
// Readers retry while a rotation is in progress (a few instructions,
// once per period).
type FreqCtr struct {
	cur  atomic.Uint64 // tick<<32 | curr
	prev atomic.Uint32
}

const rotating = 1 << 32 // the tick's low bit in cur

func packFreq(tick, curr uint32) uint64 { return uint64(tick)<<32 | uint64(curr) }

func unpackFreq(v uint64) (tick, curr uint32) { return uint32(v >> 32), uint32(v) }

// Add counts inc events at now (a StickNow-style millisecond tick).
func (f *FreqCtr) Add(period, now, inc uint32) {
	for {
		old := f.cur.Load()
		tick, curr := unpackFreq(old)
		if now-tick < period || old&rotating != 0 {
			if f.cur.CompareAndSwap(old, packFreq(tick, curr+inc)) {
				return
			}
			continue
		}
		if f.cur.CompareAndSwap(old, old|rotating) {
			f.rotate(period, now, inc, tick, curr)
			return
		}
	}
}

// rotate runs with the rotating bit set by the caller, who saw curr at
// tick: freqUpdate computes the new period, and the events others added
// since the bit was set are carried into it.
func (f *FreqCtr) rotate(period, now, inc, tick, curr uint32) {
	w := [3]uint32{tick, curr, f.prev.Load()}
	freqUpdate(w[:], period, now, inc)
	f.prev.Store(w[2])
	for {
		old := f.cur.Load()
		_, late := unpackFreq(old)
		if f.cur.CompareAndSwap(old, packFreq(w[0], w[1]+(late-curr))) {
			return
		}
	}
}

// Read is the rate at now over period, as read_freq_ctr_period.
func (f *FreqCtr) Read(period, now uint32) uint32 {
	tick, curr, prev := f.snapshot()
	w := [3]uint32{tick, curr, prev}
	return freqRead(w[:], period, now)
}

// snapshot is tick, curr and prev of one period: prev is written only
// while the rotating bit is set, and a rotation always moves the tick, so
// an unchanged, unmarked tick around the read of prev makes the three
// consistent.
func (f *FreqCtr) snapshot() (tick, curr, prev uint32) {
	for {
		v := f.cur.Load()
		p := f.prev.Load()
		if v&rotating == 0 && (f.cur.Load()>>32) == v>>32 {
			tick, curr = unpackFreq(v)
			return tick, curr, p
		}
		runtime.Gosched()
	}
}

// Remain is how many events may still come at now within freq events per
// period, pend more being on their way (HAProxy's freq_ctr_remain).
func (f *FreqCtr) Remain(period, now, freq, pend uint32) uint32 {
	tick, curr, prev := f.snapshot()
	w := [3]uint32{tick, curr, prev}
	return freqRemain(w[:], period, now, freq, pend)
}

// NextDelay is how many milliseconds to wait at now before one more event
// keeps within freq events per period (HAProxy's next_event_delay; 0:
// none).
func (f *FreqCtr) NextDelay(period, now, freq, pend uint32) uint32 {
	tick, curr, prev := f.snapshot()
	w := [3]uint32{tick, curr, prev}
	return freqNextDelay(w[:], period, now, freq, pend)
}
