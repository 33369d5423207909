package sink

import (
	"context"
	"io"
	"net"
	"strconv"
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

// retryDelay separates the connection attempts to a server that is down.
const retryDelay = time.Second

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
