package proxy

import (
	"net"
	"time"

	"golang.org/x/sys/unix"
)

// connectFailTerm is the termination state of a stream no server
// connection could be set up for, in either mode: IC when none could be
// made at all (maxsslconn, usesrc without its header), sQ when it never
// left the queue (timeout queue), sC when the last attempt timed out, SC
// otherwise. (The tcp path logged SC for all but IC; measured on 2.6.12:
// a tcp client queued past timeout queue is logged sQ.)
func (s *session) connectFailTerm() [2]byte {
	switch {
	case s.tl.internal:
		return term('I', 'C')
	case s.tl.picked.IsZero() && !s.tl.noServer:
		return term('s', 'Q')
	case s.tl.failedTimeout:
		return term('s', 'C')
	}
	return term('S', 'C')
}

// heldAtClose counts what a tcp-mode session whose server connection
// failed (SC, sQ, IC) had received, and drains the rest before its close.
// HAProxy's request channel reads the client's bytes while it tries to
// connect, up to tune.bufsize less tune.maxrewrite (15360 bytes by
// default), and its close drains what is left in the socket
// (sock_drain): the client reads a FIN, not a reset. The bytes it held
// count as received: %U and the bin of the frontend, the backend and the
// server tried. Measured on 2.6.12 with 10 to 100000 bytes sent: bin
// grows by min(sent, 15360), the client reads EOF (goha closed with the
// bytes unread: a reset). Over TLS the bytes are the decrypted ones
// (measured: 10 and 15360 too; goha counted none).
func (s *session) heldAtClose(be *backend, pending []byte) {
	in := int64(len(pending)) // what content inspection read
	room := s.p.lim.headLimit - len(pending)
	switch {
	case s.c.TCPConn != nil && s.c.plain():
		if room > 0 {
			in += discardReady(s.c.TCPConn, room, 1) // switch_conn.go
		}
		drainReady(s.c.TCPConn)
	case s.c.tls != nil && s.c.h2 == nil && room > 0:
		// The records are in the socket already: the reads end once a
		// read took less than asked and the socket holds nothing more
		// (the deadline bounds a record cut short).
		s.c.setRead(time.Now().Add(20 * time.Millisecond))
		buf := make([]byte, room)
		for n := 0; n < room; {
			k, err := s.c.tls.Read(buf[n:])
			n += k
			in += int64(k)
			if err != nil || n < room && sockQueued(s.c.TCPConn) == 0 {
				break
			}
		}
	}
	s.received = in
	s.fe.stats.bytesIn.Add(in)
	be.stats.bytesIn.Add(in)
	if s.tl.failed != nil {
		s.tl.failed.stats.bytesIn.Add(in)
	}
}

// sockQueued is how many bytes c's socket holds unread.
func sockQueued(c *net.TCPConn) int {
	n := 0
	if raw, err := c.SyscallConn(); err == nil {
		raw.Control(func(fd uintptr) { n, _ = unix.IoctlGetInt(int(fd), unix.SIOCINQ) })
	}
	return n
}
