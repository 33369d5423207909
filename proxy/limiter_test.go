package proxy

import (
	"testing"
	"time"
)

// A limiter admits up to its limit, makes the next one wait until a slot
// frees or the limit is raised, and lets a cancelled waiter go.
func TestLimiter(t *testing.T) {
	l := newLimiter(1)
	done := make(chan struct{})
	if !l.acquire(done) {
		t.Fatal("first acquire refused")
	}
	got := make(chan bool, 1)
	go func() { got <- l.acquire(done) }()
	select {
	case <-got:
		t.Fatal("second acquire passed the limit of 1")
	case <-time.After(50 * time.Millisecond):
	}
	l.setLimit(2) // `set maxconn` raised: the waiter goes
	if ok := <-got; !ok {
		t.Fatal("waiter refused after the limit was raised")
	}
	l.setLimit(0) // nothing more is admitted, as HAProxy's maxconn 0
	go func() { got <- l.acquire(done) }()
	l.release()
	l.release()
	select {
	case <-got:
		t.Fatal("acquire passed a limit of 0")
	case <-time.After(50 * time.Millisecond):
	}
	close(done)
	if ok := <-got; ok {
		t.Fatal("a cancelled waiter got a slot")
	}
	if l.used != 0 || l.waiting != 0 {
		t.Fatalf("used %d waiting %d after all left", l.used, l.waiting)
	}
	u := newLimiter(-1)
	for i := 0; i < 1000; i++ {
		if !u.acquire(nil) {
			t.Fatal("an unlimited limiter refused")
		}
	}
}
