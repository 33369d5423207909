package proxy

import (
	"errors"
	"net"
	"syscall"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
)

// A request written whole to a plain server socket waits for its answer on
// the poller before reading it. Go's reads try the system call first and
// park only when it finds nothing (EAGAIN); right after a request is
// written the server has not answered yet, so that first read is nearly
// always wasted: one extra read per request, which HAProxy, subscribing
// to the socket after its send, does not make.
//
// Parking before any read is only safe when no readiness event can be
// lost: the poller forgets an earlier event when a read begins
// (syscall.RawConn.Read resets the descriptor's ready state first). So
// the write itself happens inside the read: every byte of the answer
// arrives after the write, hence after that reset, and its event wakes
// the waiting reader. A server that already sent something while the
// connection was idle (a close, a 408) has its socket answer the request
// with a reset, which is an event too.

// writeRequest writes out, the request's bytes, to the server. When out
// is the whole request (whole), the server socket is a plain one and no
// tcp-response rule reads the server before the head, the first bytes of
// the answer are read in the same wait (x.send, x.awaited) and
// readResponseHead starts from them.
func (x *exchange) writeRequest(out []byte, now time.Time, whole bool) error {
	c := x.sc
	x.awaitUntil = time.Time{}
	if !whole || len(out) == 0 || x.send != 0 || c.tls != nil || c.h2 != nil || c.io.raw == nil ||
		len(x.be.cfg.TCPResponseRules) > 0 {
		return x.serverWriteAt(out, now)
	}
	if now.IsZero() {
		now = time.Now()
	}
	x.awaitUntil = deadlineFrom(now, x.serverTimeout())
	var p []byte
	if x.sbp != nil {
		p = x.sbuf[:x.s.p.lim.headLimit]
	} else {
		// The buffer is taken once the answer is there (server_buf.go).
		c.io.rpool, c.io.rlim = x.s.p, x.s.p.lim.headLimit
	}
	wrote, n, err := c.writeAwait(out, p, now, x.awaitUntil)
	if c.io.rpool != nil {
		x.sbp, c.io.rbp, c.io.rpool = c.io.rbp, nil, nil
		if x.sbp != nil {
			x.sbuf = *x.sbp
		}
	}
	if err != nil {
		return x.writeFailed(err)
	}
	if wrote < len(out) {
		// The socket took only part of it: the rest waits for room as any
		// write does, and the answer is read as usual.
		x.awaitUntil = time.Time{}
		return x.serverWriteAt(out[wrote:], time.Time{})
	}
	x.send, x.awaited = n, n > 0
	return nil
}

// writeAwait writes req whole, then reads the answer into p after the
// poller says it is there, the read deadline armed for want. It returns
// how much of req it wrote, and n > 0 bytes read; when it stopped short
// (no room for all of req, a deadline, a closed or failed socket before
// or after the write) err is only a write's error, and the caller's own
// writes and reads go on and meet the same condition.
func (c *tconn) writeAwait(req, p []byte, now, want time.Time) (wrote, n int, err error) {
	c.armRead(now, want)
	r := &c.io
	r.qbuf, r.qn, r.qerrn, r.qsent = req, 0, 0, false
	r.rbuf, r.rn, r.rerrn = p, 0, 0
	rerr := r.raw.Read(r.afn)
	wrote, sent, n, rerrn, qerrn := r.qn, r.qsent, r.rn, r.rerrn, r.qerrn
	r.qbuf, r.rbuf = nil, nil
	switch {
	case qerrn != 0:
		return wrote, 0, &net.OpError{Op: "write", Net: "tcp", Err: qerrn}
	case !sent || rerr != nil || rerrn != 0:
		return wrote, 0, nil
	}
	return wrote, n, nil // n == 0: the end of the stream, read again by the caller
}

// doWriteAwait is writeAwait's callback: the first call writes the
// request and asks to wait; the later ones read.
func (r *rawIO) doWriteAwait(fd uintptr) bool {
	if r.qsent {
		if r.rbuf == nil && r.rpool != nil {
			r.rbp = r.rpool.getBuf()
			r.rbuf = (*r.rbp)[:r.rlim]
		}
		return r.doRead(fd)
	}
	for r.qn < len(r.qbuf) {
		n, e := sendRaw(fd, r.qbuf[r.qn:])
		switch e {
		case 0:
			r.qn += int(n)
			continue
		case syscall.EINTR:
			continue
		case syscall.EAGAIN:
			return true // no room: the caller's write waits for it
		}
		r.qerrn = e
		return true
	}
	r.qsent = true
	return false // wait for the answer instead of reading nothing yet
}

// serverWrite writes request bytes to the server within timeout server.
func (x *exchange) serverWrite(p []byte) error { return x.serverWriteAt(p, time.Time{}) }

// serverWriteAt is serverWrite for a caller that has just read the clock.
func (x *exchange) serverWriteAt(p []byte, now time.Time) error {
	if len(p) == 0 {
		return nil
	}
	_, err := x.sc.writeAt(p, now, x.serverTimeout())
	return x.writeFailed(err)
}

// writeFailed is the error a failed write to the server ends in: errStale
// on a pooled connection, to try again on another.
func (x *exchange) writeFailed(err error) error {
	if err != nil && x.reused && !errors.Is(err, errUpgrade) {
		x.busy = errors.Is(err, h2.ErrNoCapacity)
		return errStale
	}
	return err
}
