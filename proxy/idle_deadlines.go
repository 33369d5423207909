package proxy

import (
	"container/heap"
	"time"
)

// parkDeadlines orders the keep-alive deadlines of the parked sessions
// (a soft stop's grace where it cut one): one timer, set for the
// earliest, instead of one per session (with 10,000 parked clients, a
// timer each was 1.3 MB and as many objects for the collector). It is
// guarded by the parker's lock; a session's place in it is its parkIdx
// (0: none, else index+1).
type parkDeadlines struct {
	h     []parkDeadline
	timer *time.Timer
	at    time.Time // what timer is set for (zero: not set)
}

type parkDeadline struct {
	at time.Time
	s  *session
}

func (d *parkDeadlines) Len() int           { return len(d.h) }
func (d *parkDeadlines) Less(i, j int) bool { return d.h[i].at.Before(d.h[j].at) }
func (d *parkDeadlines) Swap(i, j int) {
	d.h[i], d.h[j] = d.h[j], d.h[i]
	d.h[i].s.parkIdx, d.h[j].s.parkIdx = int32(i+1), int32(j+1)
}
func (d *parkDeadlines) Push(x any) {
	e := x.(parkDeadline)
	e.s.parkIdx = int32(len(d.h) + 1)
	d.h = append(d.h, e)
}
func (d *parkDeadlines) Pop() any {
	n := len(d.h) - 1
	e := d.h[n]
	d.h[n] = parkDeadline{}
	d.h = d.h[:n]
	e.s.parkIdx = 0
	return e
}

// setDeadline makes s end at at (under k.mu), moving the deadline it had.
func (k *idleParker) setDeadline(s *session, at time.Time) {
	d := &k.dl
	if i := int(s.parkIdx) - 1; i >= 0 {
		d.h[i].at = at
		heap.Fix(d, i)
	} else {
		heap.Push(d, parkDeadline{at: at, s: s})
	}
	k.armDeadlines()
}

// dropDeadline forgets s's deadline (under k.mu).
func (k *idleParker) dropDeadline(s *session) {
	if i := int(s.parkIdx) - 1; i >= 0 {
		heap.Remove(&k.dl, i)
		if len(k.dl.h) == 0 || i == 0 {
			k.armDeadlines()
		}
	}
	// (also shrinks the array once a burst of parked sessions is gone)
	if d := &k.dl; cap(d.h) > 1024 && len(d.h) < cap(d.h)/4 {
		d.h = append([]parkDeadline(nil), d.h...)
	}
}

// armDeadlines sets the timer for the earliest deadline (under k.mu).
func (k *idleParker) armDeadlines() {
	d := &k.dl
	if len(d.h) == 0 {
		if d.timer != nil && !d.at.IsZero() {
			d.timer.Stop()
		}
		d.at = time.Time{}
		return
	}
	first := d.h[0].at
	if first.Equal(d.at) {
		return
	}
	d.at = first
	if d.timer == nil {
		d.timer = time.AfterFunc(time.Until(first), k.expire)
		return
	}
	d.timer.Reset(time.Until(first))
}

// expire ends the sessions whose deadline has come, each on a goroutine
// of its own as their timers did, and sets the timer for the next one.
func (k *idleParker) expire() {
	var due []*session
	k.mu.Lock()
	now := time.Now()
	for len(k.dl.h) > 0 && !k.dl.h[0].at.After(now) {
		s := k.dl.h[0].s
		if !k.takeLocked(s.parkedFD, s) {
			heap.Pop(&k.dl) // (cannot happen: a taken session leaves the heap)
			continue
		}
		due = append(due, s)
	}
	k.dl.at = time.Time{} // this firing is spent
	k.armDeadlines()
	k.mu.Unlock()
	for _, s := range due {
		go s.finish()
	}
}
