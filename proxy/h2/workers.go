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
// Idle workers are retired by a sweeper rather than by a timer of their
// own: arming a timer and selecting on it around every stream was about
// 5% of the CPU of an HTTP/2 request (h2load, profile of gohaproxy).
// Every workerIdle, the sweeper ends half of the workers idle at that
// moment (at least one), so a burst's workers are gone within seconds
// once the load drops, and a steady load keeps about what it uses.

// workerIdle is the sweeper's period.
const workerIdle = 2 * time.Second

var (
	// streamWork hands a stream to an idle worker (unbuffered: a send
	// succeeds only if a worker is waiting); nil ends the worker.
	streamWork = make(chan *Stream)
	// idleWorkers counts the workers waiting on streamWork.
	idleWorkers atomic.Int32
	sweeper     sync.Once
)

// start runs the stream's handler on an idle worker, or a new one.
func (c *Conn) start(st *Stream) {
	select {
	case streamWork <- st:
	default:
		sweeper.Do(func() { go sweepWorkers() })
		go worker(st)
	}
}

func worker(st *Stream) {
	for st != nil {
		st.c.run(st)
		idleWorkers.Add(1)
		st = <-streamWork
		idleWorkers.Add(-1)
	}
}

// sweepWorkers retires idle workers, forever (one goroutine per process).
func sweepWorkers() {
	t := time.NewTicker(workerIdle)
	defer t.Stop()
	for range t.C {
		retireIdle()
	}
}

// retireIdle ends half of the idle workers, rounded up.
func retireIdle() {
	for n := (idleWorkers.Load() + 1) / 2; n > 0; n-- {
		select {
		case streamWork <- nil:
		default:
			return // the rest took streams meanwhile
		}
	}
}
