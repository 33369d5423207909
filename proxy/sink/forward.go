package sink

import (
	"context"
	"io"
	"net"
	"strconv"
	"syscall"
	"time"
)

// Forward is a ring's `server` line: where to send its messages over TCP.
type Forward struct {
	Addr string // ip:port
	// OctetCount frames each message as RFC 6587 octet counting does
	// ("<len> <msg>"); otherwise it ends with a newline (legacy).
	OctetCount bool
	// ConnectTimeout and WriteTimeout are the ring's `timeout connect`
	// and `timeout server` (0: none).
	ConnectTimeout, WriteTimeout time.Duration
}

// forwardBufSize is the largest framed message HAProxy 2.6 sends
// (its trash buffer, BUFSIZE): longer ones are skipped.
const forwardBufSize = 16384

// retryDelay separates the connection attempts to a server that is down
// (HAProxy 2.6 retries at once: measured, a server listening again had
// its connection within 10 ms).
const retryDelay = 100 * time.Millisecond

// StartForward sends the ring's messages to f until ctx ends: from the
// oldest message the ring holds when the first connection is made, then
// each new one; after a connection is lost, a new one resumes where the
// last left off (the unsent messages stay in the ring, newer ones are
// dropped when it is full).
func (r *MsgRing) StartForward(ctx context.Context, f Forward) {
	rd := r.newReader()
	go func() {
		for ctx.Err() == nil {
			d := net.Dialer{Timeout: f.ConnectTimeout}
			c, err := d.DialContext(ctx, "tcp", f.Addr)
			if err != nil {
				select {
				case <-ctx.Done():
				case <-time.After(retryDelay):
				}
				continue
			}
			r.forwardConn(ctx, rd, c, f)
			c.Close()
		}
	}()
}

// forwardConn writes the messages on c until c fails or ctx ends.
func (r *MsgRing) forwardConn(ctx context.Context, rd *reader, c net.Conn, f Forward) {
	closed := make(chan struct{})
	go func() { // drain the server, notice its close
		io.Copy(io.Discard, c)
		close(closed)
	}()
	var buf []byte
	for {
		if peerClosed(c) { // what comes next waits for the next connection
			return
		}
		msgs, seq, wake := r.pending(rd)
		buf = buf[:0]
		for _, m := range msgs {
			n := len(buf)
			if f.OctetCount {
				buf = strconv.AppendInt(buf, int64(len(m)), 10)
				buf = append(buf, ' ')
				buf = append(buf, m...)
			} else {
				buf = append(append(buf, m...), '\n')
			}
			if len(buf)-n > forwardBufSize {
				buf = buf[:n] // too large a message to ever send
			}
		}
		if len(buf) > 0 {
			if f.WriteTimeout > 0 {
				c.SetWriteDeadline(time.Now().Add(f.WriteTimeout))
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
			r.advance(rd, seq+uint64(len(msgs)))
		}
		select {
		case <-ctx.Done():
			return
		case <-closed:
			return
		case <-wake:
		}
	}
}

// peerClosed says whether the server has closed c (its FIN is queued):
// a non-blocking peek, so that no message is written to a connection
// HAProxy would already have seen closed.
func peerClosed(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	closed := false
	var b [1]byte
	rc.Control(func(fd uintptr) {
		n, _, err := syscall.Recvfrom(int(fd), b[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		closed = n == 0 && err == nil
	})
	return closed
}
