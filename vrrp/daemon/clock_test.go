package daemon

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/goha-lb/goha/vrrp"
)

// fakeClock is a Clock that moves only when a test sets it; its timers
// fire when the clock reaches their deadline.
type fakeClock struct {
	mu     sync.Mutex
	base   time.Time
	at     time.Duration
	timers []*fakeTimer
}

func newFakeClock() *fakeClock {
	return &fakeClock{base: time.Date(2026, 12, 6, 4, 0, 0, 0, time.UTC)}
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.base.Add(c.at)
}

// set moves the clock to at and fires the timers now due.
func (c *fakeClock) set(at time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = at
	c.fireLocked()
}

func (c *fakeClock) NewTimer(d time.Duration) Timer {
	t := &fakeTimer{c: c, ch: make(chan time.Time, 1)}
	c.mu.Lock()
	c.timers = append(c.timers, t)
	c.mu.Unlock()
	t.Reset(d)
	return t
}

func (c *fakeClock) fireLocked() {
	for _, t := range c.timers {
		if t.armed && t.deadline <= c.at {
			t.armed = false
			select {
			case t.ch <- c.base.Add(t.deadline):
			default:
			}
		}
	}
}

type fakeTimer struct {
	c        *fakeClock
	ch       chan time.Time
	deadline time.Duration
	armed    bool
}

func (t *fakeTimer) C() <-chan time.Time { return t.ch }

func (t *fakeTimer) Reset(d time.Duration) {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.drain()
	t.deadline, t.armed = t.c.at+d, true
	t.c.fireLocked()
}

func (t *fakeTimer) Stop() {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	t.armed = false
	t.drain()
}

func (t *fakeTimer) drain() {
	select {
	case <-t.ch:
	default:
	}
}

// TestRunOnFakeClock drives Run's own loop (its timer, its reading of the
// time) on a fake clock: the seed's lb1 stays BACKUP until the master down
// interval (3 s + (256-100)/256 s) has passed on the clock, whatever the
// wall clock does, and its state change is stamped with the clock's time.
func TestRunOnFakeClock(t *testing.T) {
	clk := newFakeClock()
	r := New(seedConfig(t, "keepalived-lb1.conf", "192.168.110.11"), Options{Edge: newFakeEdge(), Clock: clk})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	// state asks the loop (on its goroutine) for lb_ha's state; a timer
	// that fired is taken by the loop before or after a few such calls.
	state := func() (s vrrp.State, at time.Time) {
		for range 50 {
			r.do(func(time.Duration) { s, at = r.byName["lb_ha"].m.State(), r.byName["lb_ha"].lastTransition })
		}
		return s, at
	}
	if s, _ := state(); s != vrrp.StateBackup {
		t.Fatalf("start: %s", s)
	}
	clk.set(3609 * time.Millisecond)
	if s, _ := state(); s != vrrp.StateBackup {
		t.Fatalf("MASTER before the master down interval (%s)", s)
	}
	clk.set(3610 * time.Millisecond)
	s, at := state()
	if s != vrrp.StateMaster {
		t.Fatalf("state %s after the master down interval on the fake clock", s)
	}
	if want := clk.base.Add(3610 * time.Millisecond); !at.Equal(want) {
		t.Errorf("last transition %v, want the fake clock's %v", at, want)
	}
}

// TestScriptTimeoutOnClock: a vrrp_script's timeout is counted on the
// runner's clock: its context ends when the clock passes the timeout, not
// before, and says it expired; cancelled earlier, it did not.
func TestScriptTimeoutOnClock(t *testing.T) {
	clk := newFakeClock()
	ctx, cancel, expired := timeoutOn(context.Background(), clk, 2*time.Second)
	clk.set(1999 * time.Millisecond)
	select {
	case <-ctx.Done():
		t.Fatal("cancelled before the timeout")
	default:
	}
	clk.set(2 * time.Second)
	<-ctx.Done()
	if !expired() {
		t.Error("expired() false after the timeout")
	}
	cancel()

	ctx, cancel, expired = timeoutOn(context.Background(), clk, time.Second)
	cancel()
	<-ctx.Done()
	if expired() {
		t.Error("expired() true after an early cancel")
	}
}
