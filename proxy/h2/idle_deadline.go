package h2

import "time"

// armIdle sets the read deadline: the idle timeout while no stream is
// open, none otherwise; once a GOAWAY is out and no stream is left, now.
func (c *Conn) armIdle() {
	if c.busy.Load() {
		return // streams open, no deadline: the lock and its cache line spared
	}
	c.mu.Lock()
	c.armIdleLocked()
	c.mu.Unlock()
}

// armIdleLocked is armIdle under the lock: the state it reads and the
// deadline it sets cannot be separated by a stream's end.
func (c *Conn) armIdleLocked() {
	n, goaway := len(c.streams), c.goaway
	switch {
	case c.dead != nil:
		// A dead connection (KillConn, a failed write): the reader ends
		// now, whatever a stream's end would have armed.
		c.t.SetReadDeadline(time.Now())
	case n == 0 && c.peerDoneLocked():
		// The client's GOAWAY, its streams done: the reader ends now
		// (peer_gone.go).
		c.t.SetReadDeadline(time.Now())
	case n == 0 && goaway:
		// Drained after GOAWAY: the client has the grace (bounded by the
		// idle timeout) to close first, as HAProxy lets it until its
		// idle timeout.
		d := c.opt.DrainGrace
		if c.opt.IdleTimeout > 0 && c.opt.IdleTimeout < d {
			d = c.opt.IdleTimeout
		}
		c.t.SetReadDeadline(time.Now().Add(d))
	case n == 0 && c.opt.IdleTimeout > 0:
		c.t.SetReadDeadline(time.Now().Add(c.opt.IdleTimeout))
	default:
		// Busy: no deadline. Cleared once, not before every frame and
		// at every stream's end (each call takes the poller's lock and
		// moves its timer).
		if !c.noDeadline {
			c.t.SetReadDeadline(time.Time{})
			c.noDeadline = true
		}
		if c.busy.Load() != (n > 0) {
			c.busy.Store(n > 0)
		}
		return
	}
	c.noDeadline = false
	c.busy.Store(false)
}
