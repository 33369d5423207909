package check

import "time"

// Clock is the runner's time source; tests use a fake one that advances on
// demand.
type Clock interface {
	Now() time.Time
	// AfterFunc runs f once after d (in its own goroutine or, for a fake
	// clock, when time is advanced past it).
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled AfterFunc.
type Timer interface {
	Stop() bool
}

// RealClock is the wall clock.
type RealClock struct{}

func (RealClock) Now() time.Time { return time.Now() }

func (RealClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }
