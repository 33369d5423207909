package daemon

import (
	"context"
	"sync/atomic"
	"time"
)

// Clock is where the daemon reads the time and arms its timers. The
// runner's loop deadlines, the vrrp_script interval, the pause after a
// receive error and the wall-clock time of a state change (JSON dump) all
// go through it, so a test can drive the daemon on a fake clock.
type Clock interface {
	Now() time.Time
	NewTimer(d time.Duration) Timer
}

// Timer is the part of *time.Timer the daemon uses. Reset re-arms it (a
// value not yet received is dropped, as time.Timer does since Go 1.23).
type Timer interface {
	C() <-chan time.Time
	Reset(d time.Duration)
	Stop()
}

// SystemClock is the host's clock: time.Now and time.NewTimer.
type SystemClock struct{}

// Now is time.Now (with its monotonic reading).
func (SystemClock) Now() time.Time { return time.Now() }

// NewTimer is time.NewTimer.
func (SystemClock) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

type systemTimer struct{ t *time.Timer }

func (s systemTimer) C() <-chan time.Time   { return s.t.C }
func (s systemTimer) Reset(d time.Duration) { s.t.Reset(d) }
func (s systemTimer) Stop()                 { s.t.Stop() }

// sleep waits d on the clock, or until done is closed; it says whether
// the whole d passed.
func sleep(c Clock, d time.Duration, done <-chan struct{}) bool {
	t := c.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-done:
		return false
	}
}

// timeoutOn is context.WithTimeout on the clock: the context is cancelled
// once d has passed on c, and expired says whether that is why.
func timeoutOn(parent context.Context, c Clock, d time.Duration) (ctx context.Context, cancel func(), expired func() bool) {
	ctx, stop := context.WithCancel(parent)
	var fired atomic.Bool
	t := c.NewTimer(d)
	done := make(chan struct{})
	go func() {
		defer close(done)
		select {
		case <-t.C():
			fired.Store(true)
			stop()
		case <-ctx.Done():
		}
	}()
	cancel = func() {
		stop()
		<-done
		t.Stop()
	}
	return ctx, cancel, fired.Load
}
