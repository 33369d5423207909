package proxy

import (
	"testing"
	"time"
)

// TestStickAtIsStickNow: the tick of a reading is StickNow's at that
// instant.
func TestStickAtIsStickNow(t *testing.T) {
	for range 100 {
		before := StickNow()
		at := stickAt(time.Now())
		after := StickNow()
		if at < before || at > after {
			t.Fatalf("stickAt(now) = %d, StickNow around it %d..%d", at, before, after)
		}
	}
	past := time.Now().Add(-3 * time.Second)
	if d := StickNow() - stickAt(past); d < 2990 || d > 3100 {
		t.Fatalf("a reading 3 s old ticks %d ms before now", d)
	}
}

// TestSessionClockSharesOnlyWhatCannotHaveWaited: an HTTP/2 stream's
// preset reading serves its request's start and its head's first read
// (the head is in memory), once; the rate counters' tick follows the
// head's reading until a read.
func TestSessionClockSharesOnlyWhatCannotHaveWaited(t *testing.T) {
	var c sessionClock
	at := time.Now().Add(-time.Second) // told apart from a new reading
	c.preset(at)
	if got := c.requestStart(); !got.Equal(at) {
		t.Fatalf("requestStart = %v, want the preset %v", got, at)
	}
	if got := c.requestStart(); got.Equal(at) {
		t.Fatal("the preset served a second request start")
	}
	if got := c.headRead(0, at); !got.Equal(at) {
		t.Fatalf("first head read of a head in memory: %v, want %v", got, at)
	}
	if got := c.readDone(at); !got.Equal(at) {
		t.Fatalf("first byte of a head in memory: %v, want %v", got, at)
	}
	// Later reads may wait: they take their own readings.
	if got := c.headRead(0, at); !got.IsZero() {
		t.Fatalf("head read after the first: %v, want none", got)
	}
	if got := c.readDone(at); got.Equal(at) {
		t.Fatal("a read that may have waited took the reading before it")
	}
	// A socket's session (no preset): nothing shared.
	var s sessionClock
	if got := s.headRead(0, at); !got.IsZero() {
		t.Fatalf("socket head read: %v, want none", got)
	}
	if got := s.readDone(at); got.Equal(at) {
		t.Fatal("a socket read took the reading before it")
	}

	head := time.Now().Add(-2 * time.Second)
	if got, want := c.headTick(head), stickAt(head); got != want {
		t.Fatalf("headTick = %d, want %d", got, want)
	}
	if got, want := c.tick(), stickAt(head); got != want {
		t.Fatalf("tick after the head = %d, want the head's %d", got, want)
	}
	picked := time.Now().Add(-time.Second)
	if got, want := c.tickAt(picked), stickAt(picked); got != want {
		t.Fatalf("tickAt(pick) = %d, want %d", got, want)
	}
	c.readDone(time.Time{}) // a read from the client: the head's reading is old
	if got := c.tick(); got == stickAt(head) {
		t.Fatal("tick after a read still at the head's reading")
	}
}
