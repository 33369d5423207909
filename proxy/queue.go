package proxy

import (
	"sync"
	"sync/atomic"
	"time"
)

// waitQueue holds requests waiting for a server slot (`maxconn` on
// servers). Waiters are woken in arrival order, one per freed slot.
type waitQueue struct {
	mu      sync.Mutex
	waiters []chan struct{}
	// n mirrors len(waiters), so that signal, called at every slot
	// release, skips the lock when nobody waits (the common case).
	n atomic.Int32
}

// wait blocks until signalled, timeout passes (0 = no limit) or abort is
// closed (nil: never); it reports whether it was signalled.
func (q *waitQueue) wait(timeout time.Duration, abort <-chan struct{}) bool {
	ch := make(chan struct{}, 1)
	q.mu.Lock()
	q.waiters = append(q.waiters, ch)
	q.n.Add(1)
	q.mu.Unlock()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case <-ch:
		return true
	case <-abort:
		return q.leave(ch)
	case <-expire:
		return q.leave(ch)
	}
}

// leave takes ch out of the queue after a timeout or an abort; a signal
// that raced with it is passed on to the next waiter.
func (q *waitQueue) leave(ch chan struct{}) bool {
	q.mu.Lock()
	for i, w := range q.waiters {
		if w == ch {
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			q.n.Add(-1)
			break
		}
	}
	q.mu.Unlock()
	select { // signalled while leaving: pass the slot on
	case <-ch:
		q.signal()
	default:
	}
	return false
}

// signal wakes the oldest waiter, if any.
// A waiter that registers after the count was read is in the same place as
// one that registered after the lock was released: it waits for the next
// release or its timeout.
func (q *waitQueue) signal() {
	if q.n.Load() == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.waiters) == 0 {
		return
	}
	ch := q.waiters[0]
	q.waiters = q.waiters[1:]
	q.n.Add(-1)
	ch <- struct{}{}
}

func (q *waitQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.waiters)
}

// acquire takes one of the server's maxconn slots; false when full.
func (s *server) acquire() bool {
	for {
		c := s.bal.Conns.Load()
		if m := s.maxConn.Load(); m > 0 && c >= m {
			return false
		}
		if s.bal.Conns.CompareAndSwap(c, c+1) {
			s.stats.curSessions.Add(1)
			return true
		}
	}
}

// release gives the slot back and lets a queued request retry.
func (b *backend) release(s *server) {
	s.bal.Conns.Add(-1)
	s.stats.curSessions.Add(-1)
	b.queue.signal()
}

// anyUp reports whether some server could take traffic at all (so a nil
// Pick means "all full", worth queueing for, not "all down").
func (b *backend) anyUp() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, s := range b.list() {
		if s.bal.Up && s.bal.Weight > 0 {
			return true
		}
	}
	return false
}
