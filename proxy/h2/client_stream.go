package h2

import (
	"io"
	"os"
	"time"

	"golang.org/x/net/http2"
)

// ClientStream is one request sent to a server and its response. The
// connection's lock guards its fields.
type ClientStream struct {
	c  *ClientConn
	id uint32
	// Trailers are the response's trailer fields, once its body ended.
	Trailers []Field

	heads         []ResponseHead // received, not yet taken (1xx, then the final one)
	final         bool           // the final response head arrived
	contentLength int64
	got           int64
	in            []byte
	remoteDone    bool  // END_STREAM received
	err           error // reset, refused, or the connection failed
	sendWin       int64
	recvWin       int32
	unacked       int32
	localDone     bool // END_STREAM (or RST_STREAM) sent
	closed        bool
	rdl, wdl      time.Time
	rtimer        *time.Timer
	wtimer        *time.Timer
}

// ID is the stream's identifier.
func (st *ClientStream) ID() uint32 { return st.id }

// SetReadDeadline bounds the waits of ReadHead and Read.
func (st *ClientStream) SetReadDeadline(t time.Time) error {
	c := st.c
	c.mu.Lock()
	st.rdl = t
	c.cond.Broadcast()
	c.mu.Unlock()
	return nil
}

// SetWriteDeadline bounds the wait of WriteData for flow-control credit.
func (st *ClientStream) SetWriteDeadline(t time.Time) error {
	c := st.c
	c.mu.Lock()
	st.wdl = t
	c.cond.Broadcast()
	c.mu.Unlock()
	return nil
}

// ReadHead waits for the next response head: interim (1xx) ones first,
// then the final one.
func (st *ClientStream) ReadHead() (ResponseHead, error) {
	c := st.c
	c.mu.Lock()
	defer c.mu.Unlock()
	for len(st.heads) == 0 {
		switch {
		case st.err != nil:
			return ResponseHead{}, st.err
		case st.remoteDone:
			return ResponseHead{}, ErrBadFrame
		case expired(st.rdl):
			return ResponseHead{}, os.ErrDeadlineExceeded
		}
		waitCond(c.cond, st.rdl, &st.rtimer)
	}
	h := st.heads[0]
	st.heads = st.heads[1:]
	return h, nil
}

// HeadsEnded reports that no further response head can come: the
// stream ended or failed with none left to take.
func (st *ClientStream) HeadsEnded() bool {
	c := st.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(st.heads) == 0 && (st.remoteDone || st.err != nil)
}

// Drained reports that the response body ended with nothing left to
// read: END_STREAM came and every DATA byte was taken.
func (st *ClientStream) Drained() bool {
	c := st.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return st.remoteDone && len(st.in) == 0 && st.err == nil
}

// Read reads the response body; io.EOF at its end (trailers are then in
// Trailers).
func (st *ClientStream) Read(p []byte) (int, error) {
	c := st.c
	c.mu.Lock()
	for len(st.in) == 0 {
		switch {
		case st.remoteDone:
			c.mu.Unlock()
			return 0, io.EOF
		case st.err != nil:
			c.mu.Unlock()
			return 0, st.err
		case expired(st.rdl):
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		waitCond(c.cond, st.rdl, &st.rtimer)
	}
	n := copy(p, st.in)
	st.in = st.in[n:]
	if len(st.in) == 0 {
		st.in = st.in[:0:0]
	}
	st.unacked += int32(n)
	var incr int32
	if !st.remoteDone && st.unacked >= int32(c.win)/2 {
		incr, st.unacked = st.unacked, 0
		st.recvWin += incr
	}
	c.mu.Unlock()
	if incr > 0 {
		c.write(func() error { return c.fr.WriteWindowUpdate(st.id, uint32(incr)) })
	}
	return n, nil
}

// WriteData sends request body bytes within the windows, waiting for
// credit up to the write deadline; end sets END_STREAM on the last frame.
func (st *ClientStream) WriteData(p []byte, end bool) error {
	if len(p) == 0 && !end {
		return nil
	}
	for {
		n, err := st.writeData(p, end)
		p = p[n:]
		if err != nil || len(p) == 0 {
			return err
		}
	}
}

func (st *ClientStream) writeData(p []byte, end bool) (int, error) {
	c := st.c
	c.mu.Lock()
	for {
		if st.localDone || c.dead != nil || st.err != nil {
			err := st.err
			if err == nil {
				err = c.dead
			}
			if err == nil {
				err = ErrReset
			}
			c.mu.Unlock()
			return 0, err
		}
		if len(p) == 0 || (st.sendWin > 0 && c.sendWin > 0) {
			break
		}
		if expired(st.wdl) {
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
		waitCond(c.cond, st.wdl, &st.wtimer)
	}
	n := min(int64(len(p)), st.sendWin, c.sendWin, int64(c.peerMax))
	st.sendWin -= n
	c.sendWin -= n
	last := end && n == int64(len(p))
	if last {
		st.localDone = true
	}
	c.mu.Unlock()
	err := c.write(func() error { return c.fr.WriteData(st.id, last, p[:n]) })
	return int(n), err
}

// WriteTrailers ends the request with a trailer section.
func (st *ClientStream) WriteTrailers(fields []Field) error {
	c := st.c
	c.wmu.Lock()
	c.mu.Lock()
	if st.localDone || st.err != nil || c.dead != nil {
		c.mu.Unlock()
		c.wmu.Unlock()
		return ErrReset
	}
	st.localDone = true
	max := int(c.peerMax)
	c.mu.Unlock()
	c.hbuf.Reset()
	for _, f := range fields {
		c.henc.WriteField(f)
	}
	err := writeBlock(c.fr, st.id, c.hbuf.Bytes(), max, true)
	if err == nil {
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		c.fail(err)
	}
	return err
}

// Complete reports whether both directions ended cleanly: the stream can
// be forgotten without a reset.
func (st *ClientStream) Complete() bool {
	st.c.mu.Lock()
	defer st.c.mu.Unlock()
	return st.localDone && st.remoteDone && st.err == nil
}

// Close ends the stream from our side: one not finished both ways is
// reset with CANCEL (the client went away, or the response was cut).
func (st *ClientStream) Close() { st.Reset(http2.ErrCodeCancel) }

// Reset ends the stream from our side, with RST_STREAM(code) when it is
// not finished both ways.
func (st *ClientStream) Reset(code http2.ErrCode) {
	c := st.c
	c.mu.Lock()
	if st.closed {
		c.mu.Unlock()
		return
	}
	st.closed = true
	open := c.streams[st.id] == st
	rst := open && !(st.localDone && st.remoteDone)
	if st.err == nil {
		st.err = io.ErrClosedPipe
	}
	c.forgetLocked(st)
	if st.rtimer != nil {
		st.rtimer.Stop()
	}
	if st.wtimer != nil {
		st.wtimer.Stop()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	if rst {
		c.write(func() error { return c.fr.WriteRSTStream(st.id, code) })
	}
}

// EndThenReset ends the request side with END_STREAM (an empty DATA
// frame) when it is still open, then sends RST_STREAM(code) even though
// both sides have ended: what HAProxy 2.6 sends on a tunnel's stream
// whose server refused it (measured).
func (st *ClientStream) EndThenReset(code http2.ErrCode) {
	c := st.c
	c.mu.Lock()
	open := !st.closed && c.streams[st.id] == st
	local := st.localDone
	c.mu.Unlock()
	if !open {
		return
	}
	if !local {
		st.WriteData(nil, true)
	}
	st.Reset(code)
	c.write(func() error { return c.fr.WriteRSTStream(st.id, code) })
}
