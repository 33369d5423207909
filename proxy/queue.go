package proxy

import (
	"sync"
	"sync/atomic"
	"time"
)

// waitQueue holds requests waiting for a server slot (`maxconn` on
// servers). Waiters are woken in HAProxy's order, one per freed slot: the
// lowest priority class first, then the earliest arrival time plus
// priority offset (set-priority-class, set-priority-offset), then arrival.
type waitQueue struct {
	mu      sync.Mutex
	waiters []waiter
	// n mirrors len(waiters), so that signal, called at every slot
	// release, skips the lock when nobody waits (the common case).
	n atomic.Int32
	// idx counts the dequeues of the backend's own waiters (those
	// pinned to a server count in server.queueIdx): waiter.pos.
	idx atomic.Int64
}

// waiter is one queued request: its wake-up, which carries its queue
// position, and its place (key). idx counts the dequeues of the queue it
// stands in for (the backend's, or its server's: one list holds both
// here), at the dequeues' count when it came.
type waiter struct {
	ch  chan int64
	key queueKey
	idx *atomic.Int64
	at  int64
}

// pos is w's queue position as HAProxy logs it (%bq, %sq), taken when it
// leaves the queue: one more than the requests dequeued from its queue
// since it came (pendconn's queue_idx is the count less one).
func (w *waiter) pos() int64 { return w.idx.Load() - w.at + 1 }

// queuePos adds up a request's queue positions, in its server's queue
// (%sq) and its backend's (%bq), over each time it queued.
type queuePos struct{ srv, be int64 }

// queueKey orders the queue as HAProxy 2.6's pendconn keys do (class,
// then arrival in ms plus offset); HAProxy's keys wrap every 2^20 ms, a
// queue goha keeps in plain integers.
type queueKey struct {
	class int
	at    int64
}

func (k queueKey) before(o queueKey) bool {
	return k.class < o.class || k.class == o.class && k.at < o.at
}

// queuePrio is a request's set-priority-class and set-priority-offset.
type queuePrio struct{ class, offset int }

// key places a request queued at now.
func (p queuePrio) key(now time.Time) queueKey {
	return queueKey{class: p.class, at: now.UnixMilli() + int64(p.offset)}
}

// wait blocks until signalled, timeout passes (0 = no limit) or abort is
// closed (nil: never); it reports whether it was signalled, and the
// waiter's queue position (waiter.pos). key places the waiter: behind
// every waiter not after it; idx counts its queue's dequeues.
func (q *waitQueue) wait(timeout time.Duration, key queueKey, abort <-chan struct{}, idx *atomic.Int64) (bool, int64) {
	ch := make(chan int64, 1)
	q.mu.Lock()
	i := len(q.waiters)
	for i > 0 && key.before(q.waiters[i-1].key) {
		i--
	}
	q.waiters = append(q.waiters, waiter{})
	copy(q.waiters[i+1:], q.waiters[i:])
	q.waiters[i] = waiter{ch, key, idx, idx.Load()}
	q.n.Add(1)
	q.mu.Unlock()
	var expire <-chan time.Time
	if timeout > 0 {
		t := time.NewTimer(timeout)
		defer t.Stop()
		expire = t.C
	}
	select {
	case pos := <-ch:
		return true, pos
	case <-abort:
		return false, q.leave(ch)
	case <-expire:
		return false, q.leave(ch)
	}
}

// leave takes ch out of the queue after a timeout or an abort, and
// returns its position then; a signal that raced with it is passed on to
// the next waiter.
func (q *waitQueue) leave(ch chan int64) int64 {
	var pos int64
	q.mu.Lock()
	for i, w := range q.waiters {
		if w.ch == ch {
			pos = w.pos()
			q.waiters = append(q.waiters[:i], q.waiters[i+1:]...)
			q.n.Add(-1)
			break
		}
	}
	q.mu.Unlock()
	select { // signalled while leaving: pass the slot on
	case pos = <-ch:
		q.signal()
	default:
	}
	return pos
}

// signal wakes the first waiter, if any.
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
	w := q.waiters[0]
	q.waiters = q.waiters[1:]
	q.n.Add(-1)
	w.ch <- w.pos()
	w.idx.Add(1) // after its own position, as HAProxy's dequeue counts
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
		m := s.maxConn.Load()
		if m > 0 && s.bal.DynMaxConn != nil {
			m = s.bal.DynMaxConn()
		}
		if m > 0 && c >= m {
			return false
		}
		if s.bal.Conns.CompareAndSwap(c, c+1) {
			s.bal.Moves.Add(1)
			s.stats.curSessions.Add(1)
			return true
		}
	}
}

// release gives the slot back and lets a queued request retry.
func (b *backend) release(s *server) {
	s.bal.Conns.Add(-1)
	s.bal.Moves.Add(1)
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
