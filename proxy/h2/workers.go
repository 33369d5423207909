package h2

import (
	"sync"
	"sync/atomic"
	"time"
)

// Stream handlers run on pooled goroutines. A stream's handler goes
// through the whole HTTP path (rules, balancing, the server exchange,
// logs): a fresh goroutine grows its stack from 8 KiB to that depth by
// copying it several times, which cost about a fifth of the CPU of an
// HTTP/2 request in profiles (runtime.newstack/copystack). A worker that
// served a stream waits for the next one, of any connection, its stack
// already grown; a stream that finds no idle worker gets a new one, so
// streams never wait for each other.
//
// A worker also keeps a slot of memory for its handlers (Stream.Local):
// what one stream's handler leaves there, the next stream the same
// worker serves finds, without a pool between them (sync.Pool's Get and
// Put around every stream were about 5% of an HTTP/2 request's CPU:
// the memory a stream put back on one P was mostly taken on the other).
// A retired worker's slot goes to the next worker started.
//
// Idle workers are retired by a sweeper rather than by a timer of their
// own: arming a timer and selecting on it around every stream was about
// 5% of the CPU of an HTTP/2 request (h2load, profile of gohaproxy).
// Every workerIdle, the sweeper ends half of the workers idle at that
// moment (at least one), so a burst's workers are gone within seconds
// once the load drops, and a steady load keeps about what it uses.

// Idle workers wait on a stack: a stream goes to the worker that became
// idle last, whose stack and memory are the most likely to still be in
// the CPU's caches (a channel shared by all of them handed a stream to
// the one idle longest), and the sweeper retires those idle longest.

// workerIdle is the sweeper's period.
const workerIdle = 2 * time.Second

// idleWorker is a worker waiting for a stream; nil on next ends it.
type idleWorker struct{ next chan *Stream }

var (
	idleMu sync.Mutex
	// idleStack holds the idle workers, the last to become idle on top.
	idleStack []*idleWorker
	// idleWorkers counts them (tests read it without the lock).
	idleWorkers atomic.Int32
	sweeper     sync.Once
)

// start runs the stream's handler on an idle worker, or a new one.
func (c *Conn) start(st *Stream) {
	idleMu.Lock()
	if n := len(idleStack); n > 0 {
		w := idleStack[n-1]
		idleStack[n-1] = nil
		idleStack = idleStack[:n-1]
		idleWorkers.Store(int32(n - 1))
		idleMu.Unlock()
		w.next <- st // buffered: never blocks
		return
	}
	idleMu.Unlock()
	sweeper.Do(func() { go sweepWorkers() })
	go worker(st)
}

func worker(st *Stream) {
	local := spareLocals.Get() // the worker's slot (Stream.Local)
	w := &idleWorker{next: make(chan *Stream, 1)}
	for st != nil {
		st.local = &local
		st.c.run(st)
		idleMu.Lock()
		idleStack = append(idleStack, w)
		idleWorkers.Store(int32(len(idleStack)))
		idleMu.Unlock()
		st = <-w.next
	}
	if local != nil {
		spareLocals.Put(local)
	}
}

// spareLocals keeps the slots of retired workers for the workers started
// later, so that a new worker's first streams find memory already grown.
var spareLocals sync.Pool

// sweepWorkers retires idle workers, forever (one goroutine per process).
func sweepWorkers() {
	t := time.NewTicker(workerIdle)
	defer t.Stop()
	for range t.C {
		retireIdle()
	}
}

// retireIdle ends half of the idle workers, rounded up: those idle
// longest, at the bottom of the stack.
func retireIdle() {
	idleMu.Lock()
	n := (len(idleStack) + 1) / 2
	gone := make([]*idleWorker, n)
	copy(gone, idleStack[:n])
	k := copy(idleStack, idleStack[n:])
	clear(idleStack[k:])
	idleStack = idleStack[:k]
	idleWorkers.Store(int32(k))
	idleMu.Unlock()
	for _, w := range gone {
		w.next <- nil
	}
}

// Local is the slot of the worker running st's handler: what a handler
// leaves there, the next stream that worker serves finds. Only the
// handler's goroutine may use it, while the handler runs and in
// Options.Release (called on that goroutine as the stream finishes).
func (st *Stream) Local() *any { return st.local }
