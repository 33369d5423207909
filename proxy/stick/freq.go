package stick

// A freq counter is HAProxy's freq_ctr over a period of p ms: the events of
// the current period (curr), those of the previous one (prev) and the
// period's start tick (always even: HAProxy keeps the low bit as a lock).
// Three 32-bit words in the data slab, in that order: tick, curr, prev.

// freqUpdate adds inc to the counter at w as update_freq_ctr_period does:
// a period over moves curr to prev, two periods over forget both and start
// the period now.
func freqUpdate(w []uint32, period, now, inc uint32) {
	tick := w[0]
	if now-tick >= period {
		w[2] = w[1]
		w[1] = 0
		tick += period
		if now-tick >= period {
			w[2] = 0
			tick = now
		}
		tick &^= 1
		w[0] = tick
	}
	w[1] += inc
}

// freqRead is read_freq_ctr_period: the events of the current period plus
// the share of the previous period that the sliding window still covers,
// rounded down; a rate between 0 and 1 reads as the previous count so that
// it does not flap while waiting for the next event.
func freqRead(w []uint32, period, now uint32) uint32 {
	curr, past, remain := freqWindow(w, period, now)
	if curr == 0 && past <= 1 {
		return uint32(past)
	}
	return uint32(curr + past*remain/uint64(period))
}

// freqWindow is the sliding window at now: the current period's events,
// the previous period's, and how much of the previous period the window
// still covers (0 when it covers none). A period that has ended becomes
// the previous one; two ended periods leave nothing.
func freqWindow(w []uint32, period, now uint32) (curr, past, remain uint64) {
	tick, curr, past := w[0], uint64(w[1]), uint64(w[2])
	r := int64(int32(tick + period - now))
	if r < 0 {
		r += int64(period)
		if r >= 0 {
			past = curr
		} else {
			past, r = 0, 0
		}
		curr = 0
	}
	return curr, past, uint64(r)
}

// freqSet is what `set table ... data.<rate> v` does in HAProxy: the
// current period restarts now holding v, the previous one empty.
func freqSet(w []uint32, now, v uint32) {
	w[0] = now &^ 1
	w[1] = v
	w[2] = 0
}

// freqTotal is HAProxy's freq_ctr_total: the events of the sliding period
// ending at now, weighted by period (the previous period's share by the
// part of it still in the window), plus pend events to come.
func freqTotal(w []uint32, period, now, pend uint32) uint64 {
	curr, past, remain := freqWindow(w, period, now)
	return past*remain + (curr+uint64(pend))*uint64(period)
}

// freqRemain is freq_ctr_remain_period: how many events may still come
// at now without the rate over period exceeding freq.
func freqRemain(w []uint32, period, now, freq, pend uint32) uint32 {
	avg := freqTotal(w, period, now, pend) / uint64(period)
	if avg > uint64(freq) {
		avg = uint64(freq)
	}
	return freq - uint32(avg)
}

// freqNextDelay is next_event_delay_period: the milliseconds to wait
// before one more event keeps the rate within freq (0: none; at least 1
// otherwise).
func freqNextDelay(w []uint32, period, now, freq, pend uint32) uint32 {
	total, limit := freqTotal(w, period, now, pend), uint64(freq)*uint64(period)
	if total < limit {
		return 0
	}
	f := uint64(freq)
	if f == 0 {
		f = 1
	}
	wait := (total - limit) / f
	if wait < 1 {
		wait = 1
	}
	return uint32(wait)
}
