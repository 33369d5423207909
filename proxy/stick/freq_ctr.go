package stick

import "sync"

// FreqCtr is a freq counter standing alone, as HAProxy keeps a proxy's or a
// server's session and request rates (fe_sess_per_sec, be_sess_per_sec,
// sess_per_sec): the same arithmetic as a table's rate columns, over a
// period of ms milliseconds, guarded by its own lock.
type FreqCtr struct {
	mu sync.Mutex
	w  [3]uint32
}

// Add counts inc events at now (a StickNow-style millisecond tick).
func (f *FreqCtr) Add(period, now, inc uint32) {
	f.mu.Lock()
	freqUpdate(f.w[:], period, now, inc)
	f.mu.Unlock()
}

// Read is the rate at now over period, as read_freq_ctr_period.
func (f *FreqCtr) Read(period, now uint32) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return freqRead(f.w[:], period, now)
}

func (f *FreqCtr) snapshot() (tick, curr, prev uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.w[0], f.w[1], f.w[2]
}
