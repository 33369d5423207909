package proxy

import "sync"

// limiter counts connections against a maxconn the runtime API can change
// (`set maxconn global|frontend`): raising it lets waiting acceptors go at
// once; lowering it below what is in use only stops new ones until enough
// finish, as in HAProxy. A negative limit is no limit.
type limiter struct {
	mu      sync.Mutex
	used    int
	limit   int
	waiting int
	wake    chan struct{} // closed and replaced to wake every waiter
}

func newLimiter(limit int) *limiter {
	return &limiter{limit: limit, wake: make(chan struct{})}
}

// acquire takes a slot, waiting until one frees or cancel is closed
// (false). A nil limiter has no limit.
func (l *limiter) acquire(cancel <-chan struct{}) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	for l.limit >= 0 && l.used >= l.limit {
		w := l.wake
		l.waiting++
		l.mu.Unlock()
		select {
		case <-w:
		case <-cancel:
			l.mu.Lock()
			l.waiting--
			l.mu.Unlock()
			return false
		}
		l.mu.Lock()
		l.waiting--
	}
	l.used++
	l.mu.Unlock()
	return true
}

func (l *limiter) release() {
	if l == nil {
		return
	}
	l.mu.Lock()
	l.used--
	l.wakeLocked()
	l.mu.Unlock()
}

// setLimit changes the limit (negative: none).
func (l *limiter) setLimit(n int) {
	l.mu.Lock()
	l.limit = n
	l.wakeLocked()
	l.mu.Unlock()
}

// getLimit returns the current limit (negative: none).
func (l *limiter) getLimit() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.limit
}

// wakeLocked wakes the waiters, if any, to look at the count again; l.mu
// is held. Without waiters (the usual case) nothing is allocated.
func (l *limiter) wakeLocked() {
	if l.waiting > 0 {
		close(l.wake)
		l.wake = make(chan struct{})
	}
}
