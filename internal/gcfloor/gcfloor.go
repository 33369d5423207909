// Package gcfloor spaces the garbage collector's cycles in a daemon
// whose live heap is small. Go starts a collection once the heap has
// grown by GOGC percent (100: doubled) of what the last one kept, and at
// 4 MiB at least; gohaproxy keeps 1 to 2 MB live under a stream of new
// TLS connections and allocates about 50 KB for each, so it collected
// every 50 to 60 handshakes, and the cycles' work (marking, sweeping,
// waking the workers and the scheduler's yields around them) cost 15 to
// 20% of a full handshake's CPU. After each collection the watcher set
// by Start sets the collector's percent so that the next one starts once
// the heap has grown by the larger of GOGC=100's growth and a floor
// (Floor bytes): a small heap grows by the floor, a heap kept live over
// the floor doubles as with GOGC=100. The memory this costs is bounded:
// at most the floor more than GOGC=100 would use. GOGC set in the
// environment turns it off (the operator's own setting rules), and
// GOMEMLIMIT, applied by the runtime on top, still caps the heap.
package gcfloor

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
	"sync/atomic"
)

// Floor is the least heap growth between two collections: 32 MiB
// (measured on 2026-12-07, full ECDSA handshakes through gohaproxy: 16,
// 32 and 64 MiB cut the CPU per handshake by 13, 18 and 20%, its RSS
// going from 30 MB to 43, 58 and 89 MB).
const Floor = 32 << 20

// the runtime's figures the percent is worked from: what the last cycle
// kept of the heap, and the stacks and globals it scanned (GOGC applies to
// their sum).
var names = []string{"/gc/heap/live:bytes", "/gc/scan/stack:bytes", "/gc/scan/globals:bytes"}

type watcher struct {
	floor   uint64
	stopped atomic.Bool
	mu      sync.Mutex
	samples []metrics.Sample
	percent int // the percent last set
	cycles  atomic.Int64
}

var (
	mu     sync.Mutex
	active *watcher
)

// Start sets the collector's percent after every collection so that the
// heap grows by at least floor bytes between two, unless GOGC is set in
// the environment. It returns a function that stops it and puts back the
// percent there was (tests and benchmarks); a daemon never calls it. One
// watcher runs at a time: a second Start stops the first.
func Start(floor uint64) (stop func()) {
	if os.Getenv("GOGC") != "" || floor == 0 {
		return func() {}
	}
	mu.Lock()
	defer mu.Unlock()
	if active != nil {
		active.stop()
	}
	w := &watcher{floor: floor, samples: make([]metrics.Sample, len(names))}
	for i, n := range names {
		w.samples[i].Name = n
	}
	active = w
	prev := debug.SetGCPercent(100)
	w.percent = 100
	w.arm() // the first collection tells what is kept live

	return func() {
		mu.Lock()
		defer mu.Unlock()
		if active == w {
			w.stop()
			active = nil
			debug.SetGCPercent(prev)
		}
	}
}

func (w *watcher) stop() { w.stopped.Store(true) }

// arm hangs a cleanup on an object nothing keeps: it runs after the next
// collection, adjusts, and arms again.
func (w *watcher) arm() {
	s := new(sentinel)
	runtime.AddCleanup(s, func(w *watcher) {
		if w.stopped.Load() {
			return
		}
		w.cycles.Add(1)
		w.adjust()
		w.arm()
	}, w)
}

// sentinel is large enough not to share the tiny allocator's blocks,
// whose objects are freed (and their cleanups run) only together.
type sentinel struct{ _ [32]byte }

// adjust sets the percent that makes the next collection start floor
// bytes above what the last one kept, or 100 when that is more.
func (w *watcher) adjust() {
	w.mu.Lock()
	defer w.mu.Unlock()
	metrics.Read(w.samples)
	var base uint64
	for _, s := range w.samples {
		if s.Value.Kind() == metrics.KindUint64 {
			base += s.Value.Uint64()
		}
	}
	p := Percent(base, w.floor)
	// a change under an eighth is not worth the call
	if d := p - w.percent; d*8 > w.percent || -d*8 > w.percent {
		debug.SetGCPercent(p)
		w.percent = p
	}
}

// Percent is the GOGC percent that grows a heap whose collections scan
// base bytes (live heap, stacks, globals) by at least floor: 100 when
// base is over the floor, floor/base otherwise. A base under the
// runtime's 4 MiB heap minimum counts as 4 MiB: the runtime scales that
// minimum by the percent too, and the heap then starts its collections
// at the floor.
func Percent(base, floor uint64) int {
	const heapMin = 4 << 20
	if base >= floor {
		return 100
	}
	return int(floor * 100 / max(base, heapMin))
}

// Cycles is how many collections the running watcher has seen (tests).
func Cycles() int64 {
	mu.Lock()
	defer mu.Unlock()
	if active == nil {
		return 0
	}
	return active.cycles.Load()
}
