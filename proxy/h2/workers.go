package h2

import "time"

// Stream handlers run on pooled goroutines. A stream's handler goes
// through the whole HTTP path (rules, balancing, the server exchange,
// logs): a fresh goroutine grows its stack from 8 KiB to that depth by
// copying it several times, which cost about a fifth of the CPU of an
// HTTP/2 request in profiles (runtime.newstack/copystack). A worker that
// served a stream waits for the next one, of any connection, for
// workerIdle, its stack already grown; a stream that finds no idle worker
// gets a new one, so streams never wait for each other.

// workerIdle is how long an idle worker waits for a stream before it
// ends.
const workerIdle = 2 * time.Second

// streamWork hands a stream to an idle worker (unbuffered: a send
// succeeds only if a worker is waiting).
var streamWork = make(chan *Stream)

// start runs the stream's handler on an idle worker, or a new one.
func (c *Conn) start(st *Stream) {
	select {
	case streamWork <- st:
	default:
		go worker(st)
	}
}

func worker(st *Stream) {
	idle := time.NewTimer(workerIdle)
	defer idle.Stop()
	for {
		st.c.run(st)
		st = nil
		idle.Reset(workerIdle)
		select {
		case st = <-streamWork:
		case <-idle.C:
			return
		}
	}
}
