package proxy

import "time"

// Clock readings a request can share. Reading the clock costs 80-270 ns
// on the virtual machines goha is measured on (a vDSO clock_gettime over
// a slow TSC read): an HTTP/2 stream read it ten times before these
// readings were shared (its session's start, the request's start, the
// head's read and its first byte, three rate counters, the server pick,
// the response wait); it reads it about once now (the response head's
// arrival). HAProxy reads it once per pass of its poll loop, and its
// timers and rate counters all use that reading.
//
// sessionClock keeps a session's reading for the instants that follow it
// with no wait in between:
//   - an HTTP/2 stream's session starts with its request head already in
//     memory (the bridge's): the session's start, the request's start,
//     its head's first byte and its completion are one instant, the
//     reading the connection's reader took for the stream (h2's
//     Stream.Arrived: one for the streams of one transport read);
//   - the rate counters of a request (frontend, backend) tick at the
//     reading of its head, until a read from the client (a body waited
//     for) makes that reading old, and so does the first server pick
//     when it waited in no queue (backend.connect, tl.fresh); the
//     server's counter ticks at its pick.
type sessionClock struct {
	// start is the reading readRequest takes as the request's start,
	// when set (an HTTP/2 stream's session: serveStream).
	start time.Time
	// inMemory: the request head is in memory (an HTTP/2 stream's), so
	// the first read of readRequest does not wait: the reading taken
	// before it is also its first byte's.
	inMemory bool
	// fresh is the reading of the request head while no read from the
	// client happened since (headTick; clientRead clears it).
	fresh time.Time
}

// preset makes now the session's start, its request's start and, the
// head being in memory, its first byte's.
func (c *sessionClock) preset(now time.Time) {
	c.start, c.inMemory = now, true
}

// requestStart is the reading a request's timeline starts at.
func (c *sessionClock) requestStart() time.Time {
	if t := c.start; !t.IsZero() {
		c.start = time.Time{}
		return t
	}
	return time.Now()
}

// headRead is the clock reading readRequest passes to its read number
// reads: lastRead (the reading before it) for the first read of a head
// already in memory, else none (the read takes its own).
func (c *sessionClock) headRead(reads int, lastRead time.Time) time.Time {
	if reads == 0 && c.inMemory {
		return lastRead
	}
	c.inMemory = false
	return time.Time{}
}

// readDone is the reading after a read that began at now (zero: not
// read) and brought bytes: now itself when that read could not wait (a
// head in memory), else a new reading. Any read makes fresh old.
func (c *sessionClock) readDone(now time.Time) time.Time {
	c.fresh = time.Time{}
	if c.inMemory && !now.IsZero() {
		c.inMemory = false
		return now
	}
	c.inMemory = false
	return time.Now()
}

// headTick notes head, the reading of the request head just parsed, as
// fresh and gives its stick-table tick.
func (c *sessionClock) headTick(head time.Time) uint32 {
	c.fresh = head
	return c.tick()
}

// tick is the stick-table clock (StickNow) at the fresh reading, or now.
func (c *sessionClock) tick() uint32 {
	if c.fresh.IsZero() {
		return StickNow()
	}
	return stickAt(c.fresh)
}

// tickAt is the stick-table clock at t when set, else tick.
func (c *sessionClock) tickAt(t time.Time) uint32 {
	if t.IsZero() {
		return c.tick()
	}
	return stickAt(t)
}

// stickAt is StickNow at the instant of the reading t (which must hold a
// monotonic reading, as time.Now's do): no clock read.
func stickAt(t time.Time) uint32 {
	return uint32(clockBase.UnixMilli() + t.Sub(clockBase).Milliseconds())
}

// countRateAt is countRate at the stick-table tick now.
func countRateAt(c *Counters, req bool, now uint32) {
	if req {
		c.reqRate.Add(ratePeriod, now, 1)
		return
	}
	c.sessRate.Add(ratePeriod, now, 1)
}
