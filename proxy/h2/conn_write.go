package h2

import "runtime"

// The server side's frame writes (Conn): one writer at a time under
// wmu, flushes shared by the writers of a scheduling round.

// write runs one frame write under the write lock, then flushes. Before
// flushing it yields once: the streams whose answers are ready by then
// add their frames, and the flush sends them all in one system call.
// A failed write makes the connection dead: every stream fails.
func (c *Conn) write(fn func() error) error {
	c.wmu.Lock()
	return c.endWrite(fn(), true)
}

// endWrite ends frame writes made under the write lock (held by the
// caller) as write does, flushing them when flush is set (unset: they
// wait in the buffer for the next write, HoldNextHeaders). The hot paths
// (a response's HEADERS and DATA) call it directly instead of passing a
// closure to write, which cost an allocation per frame.
//
// One writer at a time flushes: the first to find no flush due yields
// and then flushes what every writer buffered meanwhile; those writers
// return at once, their frames in the buffer that flush takes (a
// scheduling round per frame written was about 3% of an HTTP/2
// request's CPU). Their frames reach the socket as HAProxy's leave its
// mux buffer, after the stream handed them over; a failed flush makes
// the connection dead, and every stream fails from then on.
func (c *Conn) endWrite(err error, flush bool) error {
	if err != nil || !flush || c.flushDue {
		c.wmu.Unlock()
		return c.writeFailed(err)
	}
	c.flushDue = true
	c.wmu.Unlock()
	runtime.Gosched()
	c.wmu.Lock()
	c.flushDue = false
	if c.bw.Buffered() > 0 {
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	return c.writeFailed(err)
}

// writeFailed makes the connection dead after a failed write: every
// stream fails.
func (c *Conn) writeFailed(err error) error {
	if err != nil {
		c.mu.Lock()
		if c.dead == nil {
			c.dead = err
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
	return err
}
