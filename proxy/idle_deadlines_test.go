package proxy

import (
	"math/rand/v2"
	"testing"
	"time"
)

// The parked deadlines stay a heap whose entries know their place, through
// pushes, moves and removals, and the timer is set for the earliest.
func TestParkDeadlinesOrder(t *testing.T) {
	k := &idleParker{}
	t.Cleanup(func() {
		if k.dl.timer != nil {
			k.dl.timer.Stop()
		}
	})
	base := time.Now().Add(time.Hour) // never due during the test
	ss := make([]*session, 300)
	for i := range ss {
		ss[i] = &session{parkedFD: -1}
		k.setDeadline(ss[i], base.Add(time.Duration(rand.IntN(1e6))*time.Millisecond))
	}
	for i := 0; i < len(ss); i += 3 {
		k.setDeadline(ss[i], base.Add(time.Duration(rand.IntN(1e6))*time.Millisecond)) // moved
	}
	for i := 1; i < len(ss); i += 4 {
		k.dropDeadline(ss[i])
		if ss[i].parkIdx != 0 {
			t.Fatalf("dropped session still at %d", ss[i].parkIdx)
		}
	}
	h := k.dl.h
	for i := range h {
		if h[i].s.parkIdx != int32(i+1) {
			t.Fatalf("entry %d says it is at %d", i, h[i].s.parkIdx)
		}
		if i > 0 && h[i].at.Before(h[(i-1)/2].at) {
			t.Fatalf("entry %d is before its parent", i)
		}
	}
	if want := len(ss) - (len(ss)+2)/4; len(h) != want {
		t.Fatalf("%d deadlines, want %d", len(h), want)
	}
	if !k.dl.at.Equal(h[0].at) {
		t.Fatalf("timer set for %v, earliest is %v", k.dl.at, h[0].at)
	}
	for _, s := range ss {
		k.dropDeadline(s)
	}
	if len(k.dl.h) != 0 || !k.dl.at.IsZero() {
		t.Fatalf("%d deadlines left, timer at %v", len(k.dl.h), k.dl.at)
	}
}

// Parked sessions with deadlines apart each end at their own: the later
// one is still open when the earlier has ended, and neither ends early.
func TestParkedSessionsEndAtTheirOwnDeadlines(t *testing.T) {
	p, addr := parkingProxy(t, 700*time.Millisecond)
	startA := time.Now()
	a, abr := idleKeepAliveClient(t, addr)
	waitParked(t, p, 1)
	time.Sleep(300 * time.Millisecond)
	startB := time.Now()
	b, bbr := idleKeepAliveClient(t, addr)
	waitParked(t, p, 2)
	expectClosed(t, a, abr)
	if d := time.Since(startA); d < 650*time.Millisecond {
		t.Errorf("first closed after %v, before its 700 ms keep-alive timeout", d)
	}
	if d := time.Since(startB); d >= 650*time.Millisecond {
		t.Skipf("machine too slow to tell the deadlines apart (%v)", d) // (not counted as a pass)
	}
	if n := parkedIn(p); n != 1 {
		t.Errorf("%d parked once the first ended, want the second still", n)
	}
	expectClosed(t, b, bbr)
	if d := time.Since(startB); d < 650*time.Millisecond {
		t.Errorf("second closed after %v, before its 700 ms keep-alive timeout", d)
	}
	waitCurSessions(t, p, 0)
}
