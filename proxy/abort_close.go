package proxy

import (
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// hangupWatch tells when a client hangs up (FIN or reset) while its
// session waits in a backend queue: `option abortonclose` then takes it
// out of the queue (logged CQ), as HAProxy 2.6 does in TCP mode. It reads
// nothing: what the client sent stays in the socket for the server.
type hangupWatch struct {
	gone    chan struct{} // closed on hang-up
	done    chan struct{} // closed when the watching goroutine returns
	stopped atomic.Bool
	c       *tconn
}

// watchHangup starts watching c; call stop before reading from c again.
// It returns nil when c has no socket of its own (an HTTP/2 stream).
// room is what HAProxy's buffer still takes of the client's bytes: a FIN
// behind more unread bytes than that is one HAProxy does not see while
// it waits, since it stops reading once its buffer is full (measured on
// 2.6.12: 100000 bytes then a FIN, queued, is connected and relayed once
// a slot frees, logged --; 10 bytes then a FIN leave the queue, CQ).
func watchHangup(c *tconn, room int) *hangupWatch {
	if c == nil || c.TCPConn == nil || c.h2 != nil {
		return nil
	}
	rc, err := c.TCPConn.SyscallConn()
	if err != nil {
		return nil
	}
	w := &hangupWatch{gone: make(chan struct{}), done: make(chan struct{}), c: c}
	go func() {
		defer close(w.done)
		hung := false
		// The runtime's poller is edge-triggered and registers EPOLLRDHUP:
		// a callback returning false sleeps until the next event on the
		// socket, and a FIN is one even behind unread data.
		rc.Read(func(fd uintptr) bool {
			if w.stopped.Load() {
				return true
			}
			p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
			n, err := unix.Poll(p, 0)
			if err != nil || n == 0 || p[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) == 0 {
				return false
			}
			if p[0].Revents&(unix.POLLHUP|unix.POLLERR) == 0 {
				if q, err := unix.IoctlGetInt(int(fd), unix.SIOCINQ); err == nil && q > room {
					return false // a FIN behind a full buffer
				}
			}
			hung = true
			return true
		})
		if hung {
			close(w.gone)
		}
	}()
	return w
}

// hungUp is closed once the client hung up; nil (never) for a nil watch.
func (w *hangupWatch) hungUp() <-chan struct{} {
	if w == nil {
		return nil
	}
	return w.gone
}

// stop ends the watch and puts back the read deadline c had armed.
func (w *hangupWatch) stop() {
	if w == nil {
		return
	}
	w.stopped.Store(true)
	w.c.TCPConn.SetReadDeadline(time.Unix(1, 0)) // wakes the poller's wait
	<-w.done
	w.c.TCPConn.SetReadDeadline(w.c.rdl)
}

// hung reports whether abort was closed (nil: no).
func hung(abort <-chan struct{}) bool {
	select {
	case <-abort:
		return true
	default:
		return false
	}
}

// drainGone reads what a client that hung up had sent and not yet been
// read, for %U: HAProxy had read it into its buffer. The bytes are
// already in the socket, so a short deadline bounds only a reset.
func (s *session) drainGone() int64 {
	var buf [4096]byte
	var n int64
	s.c.TCPConn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	for n < 1<<20 {
		k, err := s.c.TCPConn.Read(buf[:])
		n += int64(k)
		if err != nil {
			break
		}
	}
	return n
}
