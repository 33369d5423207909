package proxy

import (
	"runtime/debug"
	"time"
)

// Giving memory back after a burst of connections. Each connection of a
// burst runs on a goroutine whose stack grows while it serves its first
// request, and its transaction allocates; once the connections are
// parked, what they used is garbage the collector frees at its next
// cycle, which a daemon with parked clients and no traffic may not run
// for minutes (the GC floor, internal/gcfloor, lets the heap grow by 32
// MiB first), and freed pages stay mapped until the runtime's scavenger
// returns them, which it does only above the heap's goal. So once the
// number of parked sessions has moved by releaseStep since the last
// release (connections parked, or parked ones gone) and the parker then
// sees a quiet period (fewer than releaseStep/4 parks and takes in
// releaseQuiet), the heap is collected and its free pages are returned
// to the system (debug.FreeOSMemory): about 30 ms of CPU with 10,000
// parked clients (measured 2026-12-07), at most once per releaseGap.
// HAProxy has neither goroutines nor a collector: its memory after a
// burst is what its pools keep.
var (
	releaseStep  = 1024
	releaseQuiet = time.Second
	releaseGap   = 10 * time.Second
	// freeOSMemory is debug.FreeOSMemory (a variable for the tests).
	freeOSMemory = debug.FreeOSMemory
)

// releaseState is the parker's bookkeeping for it, guarded by its lock.
type releaseState struct {
	base   int       // parked sessions at the last release
	events int       // parks and takes since the check was armed
	armed  bool      // a check is due
	last   time.Time // the last release
}

// noteParked counts a park or a take (under k.mu) and arms a check once
// the parked count is releaseStep away from the last release's.
func (k *idleParker) noteParked() {
	r := &k.rel
	r.events++
	if r.armed {
		return
	}
	if d := k.n - r.base; d < releaseStep && -d < releaseStep {
		return
	}
	r.armed, r.events = true, 0
	time.AfterFunc(releaseQuiet, k.releaseIfQuiet)
}

// releaseIfQuiet returns the free heap to the system when the parker was
// quiet since the check was armed, else looks again a period later.
func (k *idleParker) releaseIfQuiet() {
	k.mu.Lock()
	r := &k.rel
	wait := releaseQuiet
	if gap := time.Until(r.last.Add(releaseGap)); gap > wait {
		wait = gap
	}
	if r.events >= releaseStep/4 || wait > releaseQuiet {
		r.events = 0
		k.mu.Unlock()
		time.AfterFunc(wait, k.releaseIfQuiet)
		return
	}
	r.armed, r.base, r.last = false, k.n, time.Now()
	k.mu.Unlock()
	freeOSMemory()
}
