package proxy

import (
	"sync/atomic"
	"testing"
	"time"
)

// releasesCounted makes a release step of step parked sessions, short
// quiet and gap periods, and counts the releases instead of making them.
func releasesCounted(t *testing.T, step int) *atomic.Int32 {
	t.Helper()
	var n atomic.Int32
	oldStep, oldQuiet, oldGap, oldFree := releaseStep, releaseQuiet, releaseGap, freeOSMemory
	releaseStep, releaseQuiet, releaseGap = step, 50*time.Millisecond, 200*time.Millisecond
	freeOSMemory = func() { n.Add(1) }
	t.Cleanup(func() {
		// a check still armed runs with the test's settings: wait it out
		time.Sleep(2 * (releaseQuiet + releaseGap))
		releaseStep, releaseQuiet, releaseGap, freeOSMemory = oldStep, oldQuiet, oldGap, oldFree
	})
	k := sharedParker()
	k.mu.Lock()
	k.rel.base = k.n
	k.mu.Unlock()
	return &n
}

// waitReleases polls until want releases were made (bounded), then
// checks that no more come while nothing changes.
func waitReleases(t *testing.T, n *atomic.Int32, want int32) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for n.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(4 * releaseQuiet)
	if got := n.Load(); got != want {
		t.Fatalf("%d releases, want %d", got, want)
	}
}

// Once releaseStep sessions more are parked, and again once that many
// are gone, the parker gives the free heap back once things are quiet; a
// change smaller than the step gives nothing back.
func TestParkerReleasesMemoryAfterBurst(t *testing.T) {
	p, addr := parkingProxy(t, 30*time.Second)
	n := releasesCounted(t, 8)
	few := make([]func(), 0, 4)
	for range 4 {
		c, _ := idleKeepAliveClient(t, addr)
		few = append(few, func() { c.Close() })
	}
	waitParked(t, p, 4)
	waitReleases(t, n, 0)
	more := make([]func(), 0, 8)
	for range 8 {
		c, _ := idleKeepAliveClient(t, addr)
		more = append(more, func() { c.Close() })
	}
	waitParked(t, p, 12)
	waitReleases(t, n, 1)
	for _, f := range few {
		f()
	}
	waitParked(t, p, 8)
	waitReleases(t, n, 1)
	for _, f := range more {
		f()
	}
	waitParked(t, p, 0)
	waitReleases(t, n, 2)
}
