package proxy

import (
	"crypto/tls"
	"errors"
	"io"
	"net"
	"os"
	"sync/atomic"
	"time"
)

// tconn is a TCP connection whose socket deadlines are moved only when they
// must be. Every SetReadDeadline/SetWriteDeadline reaches the runtime's
// poller (a lock and a timer change); a proxy that arms one per read and per
// write pays for it on every request. Instead the armed deadline is kept as
// long as it lies between halfway to the wanted one and the wanted one: a
// deadline that fires early (the operation started later than the one that
// armed it) is re-armed to the exact wanted time and the operation resumes,
// so a timeout still happens exactly when the wanted deadline passes.
//
// A tconn is used by one goroutine per direction at a time: the read side
// and the write side each have their own state.
type tconn struct {
	*net.TCPConn
	rdl, wdl time.Time // deadlines armed on the socket; zero = none
	// stop, when set and true, makes an early-fired read deadline final:
	// Shutdown wakes idle sessions with a past deadline, which must not be
	// taken for an early timer and re-armed.
	stop *atomic.Bool
	// Deadline changes per side (tests check they stay rare).
	rarms, warms int
	io           rawIO
	// tls, when set, carries the connection's bytes (bind ... ssl): reads
	// and writes go through it instead of the raw socket.
	tls *tls.Conn
	// srvSide is what only a connection to a server carries (nil on a
	// client's: srv_side.go).
	*srvSide
	// h2, when set, is an HTTP/2 stream standing in for the connection:
	// a client's (h2_bridge.go) or a server's (h2_upstream.go); no
	// socket of its own under it.
	h2 streamConn
	// tlsLive is the count of open TLS connections this one is in, until
	// it closes (tls_stats.go).
	tlsLive atomic.Pointer[atomic.Int64]
	// noLinger marks a client socket of a frontend with option nolinger
	// (SO_LINGER 0): its close shuts it cleanly first (nolinger.go).
	noLinger bool
}

// streamConn is an HTTP/2 stream read and written as an HTTP/1.1
// connection.
type streamConn interface {
	io.Reader
	io.Writer
	Close() error
	CloseWrite() error
	SetReadDeadline(time.Time) error
	SetWriteDeadline(time.Time) error
}

func newTconn(c *net.TCPConn, stop *atomic.Bool) *tconn {
	t := &tconn{TCPConn: c, stop: stop}
	t.io.init(c)
	return t
}

// stale reports whether an armed deadline a is unusable for an operation
// starting at now that must time out at want: later than want, or less than
// half of the way from now to want (kept, it would fire early too often).
func stale(a, now, want time.Time) bool {
	if a.IsZero() || a.After(want) {
		return true
	}
	return a.Sub(now) < want.Sub(now)/2
}

// armRead makes the socket's read deadline suitable for want (zero = none).
func (c *tconn) armRead(now, want time.Time) {
	if want.IsZero() {
		if !c.rdl.IsZero() {
			c.setRead(time.Time{})
		}
		return
	}
	if stale(c.rdl, now, want) {
		c.setRead(want)
	}
}

func (c *tconn) setRead(t time.Time) {
	c.rarms++
	if c.h2 != nil {
		c.h2.SetReadDeadline(t)
		c.rdl = t
		return
	}
	c.SetReadDeadline(t)
	c.rdl = t
}

// readUntil reads into p, failing with os.ErrDeadlineExceeded once want has
// passed (zero want: no deadline). now is the caller's clock reading (zero:
// read it here).
func (c *tconn) readUntil(p []byte, now, want time.Time) (int, error) {
	if now.IsZero() && !want.IsZero() {
		now = time.Now()
	}
	c.armRead(now, want)
	for {
		n, err := c.readRaw(p)
		if n == 0 && err != nil && !want.IsZero() && isTimeout(err) {
			if time.Now().Before(want) {
				// Fired early (armed for an earlier operation) or, when
				// stop is set, by Shutdown: re-arm exactly, then look at
				// stop, so a wake-up that raced the re-arm still wins.
				c.setRead(want)
				if c.stop == nil || !c.stop.Load() {
					continue
				}
			}
		}
		return n, err
	}
}

// read reads with an inactivity timeout d (0 = none).
func (c *tconn) read(p []byte, d time.Duration) (int, error) {
	if d <= 0 {
		return c.readUntil(p, time.Time{}, time.Time{})
	}
	now := time.Now()
	return c.readUntil(p, now, now.Add(d))
}

// write writes all of p; the write fails when the peer accepts nothing for
// d (0 = no limit). Progress (a partial write) restarts the clock, as
// HAProxy's write timeouts do.
func (c *tconn) write(p []byte, d time.Duration) (int, error) {
	return c.writeAt(p, time.Time{}, d)
}

// writeAt is write for a caller that has just read the clock (now; zero:
// read it here).
func (c *tconn) writeAt(p []byte, now time.Time, d time.Duration) (int, error) {
	if c.tls != nil || c.h2 != nil {
		return c.writeTLS(p, now, d)
	}
	if d <= 0 {
		if !c.wdl.IsZero() {
			c.setWrite(time.Time{})
		}
		return c.io.write(c.TCPConn, p)
	}
	if now.IsZero() {
		now = time.Now()
	}
	want := now.Add(d)
	if stale(c.wdl, now, want) {
		c.setWrite(want)
	}
	total := 0
	for {
		n, err := c.io.write(c.TCPConn, p[total:])
		total += n
		if err == nil || !isTimeout(err) {
			return total, err
		}
		now = time.Now()
		if n > 0 {
			want = now.Add(d) // progress: a new inactivity period
		} else if !now.Before(want) {
			return total, err
		}
		c.setWrite(want)
	}
}

func (c *tconn) setWrite(t time.Time) {
	c.warms++
	if c.h2 != nil {
		c.h2.SetWriteDeadline(t)
		c.wdl = t
		return
	}
	c.SetWriteDeadline(t)
	c.wdl = t
}

// deadlineFrom is now+d, or no deadline (zero) when d is not set.
func deadlineFrom(now time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return time.Time{}
	}
	return now.Add(d)
}

// firstSet is the first of ds that is set (above zero), or zero.
func firstSet(ds ...time.Duration) time.Duration {
	for _, d := range ds {
		if d > 0 {
			return d
		}
	}
	return 0
}

func isTimeout(err error) bool { return errors.Is(err, os.ErrDeadlineExceeded) }
