package h2

import (
	"errors"
	"io"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Stream is one request/response exchange. Its handler reads the request
// body with Read and answers with WriteHeaders, Write and End; the
// connection's lock guards the fields below Req.
type Stream struct {
	c   *Conn
	id  uint32
	Req Request
	// Trailers are the request's trailer fields, once the body has ended.
	Trailers []hpack.HeaderField
	// onAbort (SetOnAbort) is told once, on a goroutine of its own, when
	// the client resets the stream or the connection dies.
	onAbort Aborter
	told    bool // onAbort was called (or is about to be)

	in         []byte // received body not yet read
	got        int64  // body bytes received
	recvWin    int32  // what the client may still send
	unacked    int32  // consumed bytes not yet given back
	remoteDone bool   // END_STREAM received
	aborted    bool   // RST_STREAM (either way) or a dead connection
	sendWin    int64
	headersOut bool         // response HEADERS sent
	localDone  bool         // END_STREAM sent
	holdFlush  bool         // HoldNextHeaders: the next HEADERS wait for the write after them
	rdl, wdl   atomic.Int64 // deadlines in Unix ns, 0: none (SetReadDeadline)
	waits      atomic.Int32 // the stream's waits on c.cond in progress
	rtimer     *time.Timer
	wtimer     *time.Timer
	local      *any // the running worker's slot (Local)
	// arrived is when the reader took the stream's HEADERS (Arrived).
	arrived time.Time
	// beforeEnd is told before the response ends (before_end.go).
	beforeEnd Ender
}

// reset makes st a new stream of c (c.mu held): what a new allocation
// gives, but for the memory a finished stream of c leaves for the next
// (its request fields, read in req, and its wait timers, which wake c's
// condition only).
func (st *Stream) reset(c *Conn, id uint32, req Request) {
	rtimer, wtimer := st.rtimer, st.wtimer
	*st = Stream{c: c, id: id, Req: req, sendWin: int64(c.peerWin), recvWin: int32(c.opt.Settings.InitialWindowSize),
		remoteDone: req.NoBody, rtimer: rtimer, wtimer: wtimer}
}

// Arrived is when the connection's reader took the stream's request
// HEADERS: one clock reading for the streams of one transport read.
func (st *Stream) Arrived() time.Time { return st.arrived }

// ID is the stream's identifier.
func (st *Stream) ID() uint32 { return st.id }

// errAborted is a stream the client reset, or whose connection died.
var errAborted = errors.New("h2: stream aborted")

// ErrAborted is returned by reads and writes of an aborted stream.
var ErrAborted = errAborted

func (st *Stream) abortLocked() {
	if st.aborted {
		return
	}
	st.aborted = true
	if st.onAbort != nil {
		st.told = true
		go st.onAbort.Abort()
	}
}

// Aborter is what a stream tells when it is aborted.
type Aborter interface{ Abort() }

// SetOnAbort sets who is told when the client resets the stream or the
// connection dies (the handler may be blocked elsewhere, on its server);
// at once if that already happened. An interface and not a func, so
// that the handler's own per-stream memory can take it without a
// closure allocated per stream.
func (st *Stream) SetOnAbort(a Aborter) {
	c := st.c
	c.mu.Lock()
	st.onAbort = a
	gone := st.aborted
	st.told = st.told || gone
	c.mu.Unlock()
	if gone {
		go a.Abort()
	}
}

func (st *Stream) endRemoteLocked() { st.remoteDone = true }

// SetReadDeadline bounds the wait of Read. Deadlines are only noted
// here: a timer is armed when a wait actually begins (most reads and
// writes do not wait). Without the connection's lock unless the stream
// is waiting (it is nearly always the stream's own handler that sets
// them, between its reads and writes): a deadline set while the stream
// waits wakes it, and one set just as a wait begins is seen by that wait
// (waitFor reads the deadline again after counting itself in waits).
func (st *Stream) SetReadDeadline(t time.Time) error {
	st.rdl.Store(deadlineNanos(t))
	st.wake()
	return nil
}

// SetWriteDeadline bounds the wait of Write for flow-control credit.
func (st *Stream) SetWriteDeadline(t time.Time) error {
	st.wdl.Store(deadlineNanos(t))
	st.wake()
	return nil
}

// wake wakes the stream's waits, if any, to look at a new deadline.
func (st *Stream) wake() {
	if st.waits.Load() > 0 {
		c := st.c
		c.mu.Lock()
		c.cond.Broadcast()
		c.mu.Unlock()
	}
}

func deadlineNanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

func deadlineTime(ns int64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, ns)
}

// waitFor waits (c.mu held) for the connection's condition, woken at
// the deadline in dl at the latest, unless that deadline has passed: it
// reports false then, without waiting.
func (st *Stream) waitFor(dl *atomic.Int64, tm **time.Timer) bool {
	st.waits.Add(1)
	defer st.waits.Add(-1)
	t := deadlineTime(dl.Load())
	if expired(t) {
		return false
	}
	waitCond(st.c.cond, t, tm)
	return true
}

func expired(t time.Time) bool { return !t.IsZero() && !time.Now().Before(t) }

// Read reads the request body; io.EOF once END_STREAM was read.
func (st *Stream) Read(p []byte) (int, error) {
	c := st.c
	c.mu.Lock()
	for len(st.in) == 0 {
		switch {
		case st.aborted || c.dead != nil:
			c.mu.Unlock()
			return 0, errAborted
		case st.remoteDone:
			c.mu.Unlock()
			return 0, io.EOF
		}
		if !st.waitFor(&st.rdl, &st.rtimer) {
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
	}
	n := copy(p, st.in)
	st.in = st.in[n:]
	if len(st.in) == 0 {
		st.in = st.in[:0:0]
	}
	st.unacked += int32(n)
	var incr int32
	// Credit goes back by halves of the window, and not at all once the
	// body is complete.
	if !st.remoteDone && st.unacked >= int32(c.opt.Settings.InitialWindowSize)/2 {
		incr, st.unacked = st.unacked, 0
		st.recvWin += incr
	}
	c.mu.Unlock()
	if incr > 0 {
		c.wmu.Lock()
		c.endWrite(c.fr.WriteWindowUpdate(st.id, uint32(incr)), true)
	}
	return n, nil
}

// Field is one response header field (name in lower case).
type Field = hpack.HeaderField

// WriteHeaders sends the response's HEADERS (with CONTINUATION frames as
// needed); end ends the stream (no body). A 1xx status may be sent before
// the final one.
func (st *Stream) WriteHeaders(status int, fields []Field, end bool) error {
	return st.writeFields(status, fields, end, nil)
}

// WriteTrailers ends the stream with a trailer section.
func (st *Stream) WriteTrailers(fields []Field) error { return st.writeFields(0, fields, true, nil) }

// WriteResponse sends HEADERS and, when the windows allow all of it at
// once, the body with END_STREAM in the same write (one system call for
// a small response); otherwise the body follows through WriteData.
func (st *Stream) WriteResponse(status int, fields []Field, body []byte) error {
	c := st.c
	c.mu.Lock()
	n := int64(len(body))
	whole := n <= st.sendWin && n <= c.sendWin && n <= int64(c.peerMax) && !st.aborted && c.dead == nil
	if whole {
		st.sendWin -= n
		c.sendWin -= n
		// In the same hold of the lock: one lock for the whole response.
		return st.writeFieldsLocked(status, fields, false, body)
	}
	c.mu.Unlock()
	if err := st.writeFields(status, fields, false, nil); err != nil {
		return err
	}
	return st.WriteData(body, true)
}

// writeFields writes a HEADERS section; with data (credit already taken)
// a DATA frame ending the stream follows in the same flush.
// HoldNextHeaders makes the next HEADERS frame wait in the write buffer
// for the frame written after it (a reset, a final response), so that
// both reach the client in one segment.
func (st *Stream) HoldNextHeaders() {
	st.c.mu.Lock()
	st.holdFlush = true
	st.c.mu.Unlock()
}

func (st *Stream) writeFields(status int, fields []Field, end bool, data []byte) error {
	st.c.mu.Lock()
	return st.writeFieldsLocked(status, fields, end, data)
}

// writeFieldsLocked is writeFields with the connection's lock held; it
// releases it.
func (st *Stream) writeFieldsLocked(status int, fields []Field, end bool, data []byte) error {
	c := st.c
	if st.aborted || st.localDone || c.dead != nil {
		c.mu.Unlock()
		return errAborted
	}
	max := int(c.peerMax)
	if status >= 200 {
		st.headersOut = true
	}
	ending := end || data != nil
	if ending {
		st.localDone = true
	}
	hold := st.holdFlush
	st.holdFlush = false
	c.mu.Unlock()
	if ending {
		st.endComing()
	}
	c.wmu.Lock()
	return c.endWrite(st.encodeFields(status, fields, end, data, max), !hold)
}

// encodeFields writes writeFields' frames into the connection's buffer;
// the caller holds the write lock.
func (st *Stream) encodeFields(status int, fields []Field, end bool, data []byte, max int) error {
	c := st.c
	if err := writeBlock(c.fr, st.id, c.headerBlock(status, fields), max, end); err != nil {
		return err
	}
	if data != nil {
		return c.fr.WriteData(st.id, true, data)
	}
	return nil
}

// headerBlock encodes a header section (:status first when status > 0)
// with the connection's encoder, or gives the block it wrote last when
// that one is still what it would write (blockCache). The caller holds
// the write lock; the block is valid until the next call.
func (c *Conn) headerBlock(status int, fields []Field) []byte {
	if block := c.hcache.lookup(status, fields); block != nil {
		return block
	}
	c.hbuf.Reset()
	if status > 0 {
		c.henc.WriteField(Field{Name: ":status", Value: statusValue(status)})
	}
	for _, f := range fields {
		c.henc.WriteField(f)
	}
	block := c.hbuf.Bytes()
	c.hcache.note(status, fields, block)
	return block
}

// setEncoderTableLimit applies the client's SETTINGS_HEADER_TABLE_SIZE
// to the encoder (write lock held).
func (c *Conn) setEncoderTableLimit(v uint32) {
	c.henc.SetMaxDynamicTableSizeLimit(v)
	c.hcache.forget() // the next block starts with a size update
}

// WriteData sends p as DATA within the flow-control windows, waiting for
// credit up to the write deadline; end sets END_STREAM on the last frame
// (an empty p with end: an empty DATA frame ending the stream).
func (st *Stream) WriteData(p []byte, end bool) error {
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

func (st *Stream) writeData(p []byte, end bool) (int, error) {
	c := st.c
	c.mu.Lock()
	for {
		if st.aborted || st.localDone || c.dead != nil {
			c.mu.Unlock()
			return 0, errAborted
		}
		if len(p) == 0 || (st.sendWin > 0 && c.sendWin > 0) {
			break
		}
		if !st.waitFor(&st.wdl, &st.wtimer) {
			c.mu.Unlock()
			return 0, os.ErrDeadlineExceeded
		}
	}
	n := int64(len(p))
	n = min(n, st.sendWin, c.sendWin, maxBurst)
	max := int64(c.peerMax)
	st.sendWin -= n
	c.sendWin -= n
	last := end && n == int64(len(p))
	if last {
		st.localDone = true
	}
	c.mu.Unlock()
	if last {
		st.endComing()
	}
	c.wmu.Lock()
	if n > max { // several frames at once (data_burst.go)
		return int(n), c.endWrite(writeDataBurst(c.bw, st.id, p[:n], int(max), last), true)
	}
	return int(n), c.endWrite(c.fr.WriteData(st.id, last, p[:n]), true)
}

// Reset abandons the stream with RST_STREAM (a response that cannot be
// completed).
func (st *Stream) Reset(code http2.ErrCode) {
	c := st.c
	c.mu.Lock()
	if st.aborted || st.localDone {
		c.mu.Unlock()
		return
	}
	st.localDone = true
	st.aborted = true
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteRSTStream(st.id, code) })
}

// finish forgets the stream once its handler returned: a response left
// open is reset, and a request body the response did not wait for is
// refused with RST_STREAM(CANCEL), as HAProxy 2.6's H2 mux does (RFC 9113
// §8.1 suggests NO_ERROR; measured on 2.6.12: a proxy-made answer sent
// before the body came, then CANCEL), unless the body arrived whole and
// only its END_STREAM is missing (await_end.go).
func (st *Stream) finish() {
	c := st.c
	c.mu.Lock()
	var code http2.ErrCode
	rst := false
	switch {
	case st.aborted:
	case !st.localDone:
		rst, code = true, http2.ErrCodeInternal
	case !st.remoteDone && !c.awaitEndLocked(st): // await_end.go
		rst, code = true, http2.ErrCodeCancel
	}
	st.aborted = true
	delete(c.streams, st.id)
	if st.rtimer != nil {
		st.rtimer.Stop()
	}
	if st.wtimer != nil {
		st.wtimer.Stop()
	}
	// Aborted now, the stream tells nobody any more: an Aborter never
	// told is the handler's to reuse.
	a, id, local := st.onAbort, st.id, st.local
	st.onAbort = nil
	if st.told {
		a = nil
	}
	if rst {
		// The reset goes out before the connection may see its last
		// stream gone (a drained connection's GOAWAY follows it).
		c.mu.Unlock()
		c.write(func() error { return c.fr.WriteRSTStream(id, code) })
		c.mu.Lock()
	}
	// The last stream gone: the idle timeout runs, or a drained
	// connection's reader ends.
	c.armIdleLocked()
	// Last: the stream's memory serves a later stream of c (onHeaders)
	// once the lock is released: nothing here reads it any more (Release
	// gets the slot, not the stream). Its handler has returned, and its
	// Aborter, told or not, does not hold it.
	if len(c.free) < maxFreeStreams {
		c.free = append(c.free, st)
	}
	c.mu.Unlock()
	if a != nil && c.opt.Release != nil {
		c.opt.Release(a, local)
	}
}

// maxFreeStreams bounds the finished streams a connection keeps for
// reuse.
const maxFreeStreams = 128

// HeadersSent reports whether the final response HEADERS went out.
func (st *Stream) HeadersSent() bool {
	st.c.mu.Lock()
	defer st.c.mu.Unlock()
	return st.headersOut
}

// statusValues are the :status values of 100-599, formatted once.
var statusValues = func() (t [600]string) {
	for i := 100; i < len(t); i++ {
		t[i] = strconv.Itoa(i)
	}
	return
}()

func statusValue(n int) string {
	if n >= 100 && n < len(statusValues) {
		return statusValues[n]
	}
	return strconv.Itoa(n)
}

// KillConn resets the stream with code and ends its connection: GOAWAY
// with the same code, then no more reading (every other stream fails),
// as HAProxy's H2 mux does when a rule kills the connection a stream
// came on (a backend's tcp-request content reject). The connection takes
// no new stream from before the reset on: a client that reads the
// RST_STREAM first may open its next stream at once, which HAProxy's
// mux, in error from then, never serves (the client retries it on a
// new connection once the GOAWAY names the last stream). The other open
// streams are reset with NO_ERROR after the GOAWAY, as HAProxy's are
// (TestH2FrontendRejectMatchesHAProxy), and fail.
func (st *Stream) KillConn(code http2.ErrCode) {
	c := st.c
	c.mu.Lock()
	c.goaway = true
	c.mu.Unlock()
	st.Reset(code)
	c.goAway(code)
	c.resetOthers(st) // drop.go
	// The reader ends now: a deadline in the past, kept there by
	// armIdleLocked now that the connection is dead.
	c.t.SetReadDeadline(time.Now())
}
