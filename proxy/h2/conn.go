package h2

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// Transport is the connection under the frames: a socket or a TLS
// connection. Read and Write are called from one goroutine each.
type Transport interface {
	io.Reader
	io.Writer
	SetReadDeadline(time.Time) error
}

// Options configure a Conn.
type Options struct {
	Settings Settings
	// IdleTimeout closes a connection that carries no stream for that
	// long (0: never).
	IdleTimeout time.Duration
	// DrainGrace is how long a connection drained after GOAWAY stays
	// open for the client to close it first (0: closed at once).
	DrainGrace time.Duration
	// Handler serves one stream, on a goroutine of its own; the stream
	// ends when it returns.
	Handler func(*Stream)
	// Release, when set, gets a finished stream's Aborter (SetOnAbort)
	// back once nothing in the engine can reach it any more, so that
	// the handler may reuse its memory: never an Aborter that was told
	// (its goroutine may still be running). It runs on the handler's
	// goroutine, with the stream's Local slot (the stream itself may
	// already serve another request).
	Release func(a Aborter, local *any)
	// Refused, when set, is told of each new stream whose request head
	// was refused as malformed (reset with PROTOCOL_ERROR): HAProxy's H2
	// mux logs such a stream with its session. It runs on the
	// connection's reading goroutine.
	Refused func()
}

// Preface is what a client sends first (RFC 9113 §3.4).
const Preface = http2.ClientPreface

// maxHeaderList bounds a request's decoded fields (HAProxy refuses what
// does not fit its buffer: tune.bufsize).
const maxHeaderList = 16384

// Conn is the server side of one HTTP/2 connection.
type Conn struct {
	t   Transport
	opt Options
	// silenced: a stream was dropped on a silenced socket; stopped: a
	// soft stop's GoAway came (drop.go).
	silenced, stopped atomic.Bool
	fr                *http2.Framer
	wmu               sync.Mutex // frame writes: bw, henc, hbuf, flushDue
	bw                *bufio.Writer
	br                *bufio.Reader
	henc              *hpack.Encoder
	hbuf              bytes.Buffer
	hdec              *headerDecoder // header blocks: used by the reading goroutine only
	hpay              []byte         // a HEADERS frame's payload (readHeaders)
	// arrived is the clock reading the streams opened by the bytes of
	// one transport read share (Stream.Arrived); newBytes: a read
	// brought bytes since it was taken. Reading goroutine only.
	arrived  time.Time
	newBytes bool
	// hcache is the last block henc wrote, when it may be sent again
	// as is (wmu).
	hcache blockCache
	// flushDue: a writer is about to flush the buffer (endWrite; wmu).
	flushDue bool

	mu         sync.Mutex
	cond       *sync.Cond // window changes, stream data, resets, ends
	streams    map[uint32]*Stream
	lastID     uint32              // the last stream taken (GOAWAY names it)
	seenID     uint32              // the highest stream the client opened, taken or not
	sendWin    int64               // connection-level window the client granted
	peerWin    int32               // client's SETTINGS_INITIAL_WINDOW_SIZE
	peerMax    uint32              // client's SETTINGS_MAX_FRAME_SIZE
	goaway     bool                // a GOAWAY went out: no new stream
	peerGoaway bool                // the client sent a GOAWAY (peer_gone.go)
	peerLast   uint32              // its last stream id
	started    bool                // our SETTINGS went out: frames may follow
	later      bool                // GoAway came before: its frame follows the SETTINGS
	dead       error               // the connection failed: every stream fails
	noDeadline bool                // the transport's read deadline is cleared (armIdleLocked)
	credit     uint32              // connection window read and not given back (giveCredit)
	free       []*Stream           // finished streams, their memory for the next ones (onHeaders)
	awaiting   map[uint32]struct{} // finished streams waiting for END_STREAM (await_end.go)
	wg         sync.WaitGroup
	// busy mirrors noDeadline with a stream open (armIdleLocked): the
	// reader's armIdle before each frame has nothing to change until a
	// stream's end, which arms the deadline again itself (finish).
	busy atomic.Bool
}

// NewConn prepares a connection whose client preface has not been read.
func NewConn(t Transport, opt Options) *Conn {
	opt.Settings = opt.Settings.orDefault()
	c := &Conn{t: t, opt: opt, streams: map[uint32]*Stream{}, sendWin: 65535, peerWin: 65535, peerMax: 16384}
	c.cond = sync.NewCond(&c.mu)
	c.bw = bufio.NewWriterSize(t, 16384)
	// Frames are read through a buffer: a frame header and its payload,
	// and the frames a client sends in a burst, cost one read.
	c.br = bufio.NewReaderSize(transportReader{c}, 16384)
	c.fr = http2.NewFramer(c.bw, c.br)
	c.fr.SetMaxReadFrameSize(opt.Settings.MaxFrameSize)
	// A DATA frame's bytes are copied into its stream (onData) before the
	// next frame is read: one frame serves them all.
	c.fr.SetReuseFrames()
	c.hdec = newHeaderDecoder(opt.Settings.HeaderTableSize)
	c.henc = hpack.NewEncoder(&c.hbuf)
	return c
}

// transportReader reads c's transport, noting that new bytes came.
type transportReader struct{ c *Conn }

func (r transportReader) Read(p []byte) (int, error) {
	n, err := r.c.t.Read(p)
	if n > 0 {
		r.c.newBytes = true
	}
	return n, err
}

// arrival is the clock reading for a stream opened now: one reading
// serves the streams a transport read brought (a client sends its
// streams' HEADERS in bursts), as HAProxy's streams take the date of
// their pass over the connection's input.
func (c *Conn) arrival() time.Time {
	if c.newBytes || c.arrived.IsZero() {
		c.arrived, c.newBytes = time.Now(), false
	}
	return c.arrived
}

// ErrPreface is a client that does not speak HTTP/2 first: other bytes
// than the preface's, or an end before its last byte.
var ErrPreface = errors.New("h2: bad connection preface")

// errNoSettings is a preface not followed by a SETTINGS frame.
var errNoSettings = errors.New("h2: no SETTINGS after the preface")

// Serve reads the preface and the frames until the connection ends, then
// waits for its streams' handlers. It returns why the connection ended
// (nil: a clean close).
func (c *Conn) Serve() error {
	err := c.serve()
	c.lingerSilenced() // drop.go
	if err == io.EOF {
		c.servePastFIN() // peer_gone.go
	}
	c.mu.Lock()
	if c.dead == nil {
		c.dead = io.ErrUnexpectedEOF
	}
	for _, st := range c.streams {
		st.abortLocked()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	c.wg.Wait()
	if err == io.EOF {
		err = nil
	}
	return err
}

func (c *Conn) serve() error {
	var pre [len(Preface)]byte
	c.armIdle()
	// HAProxy compares once it has the preface's length (a client that
	// ends before, having sent something, failed it too), and closes
	// without a word.
	if _, err := io.ReadFull(c.br, pre[:]); err == io.ErrUnexpectedEOF {
		return ErrPreface
	} else if err != nil {
		return err
	}
	if string(pre[:]) != Preface {
		return ErrPreface
	}
	s := c.opt.Settings
	set := make([]http2.Setting, 0, 5)
	if !s.NoConnectProtocol {
		// RFC 8441 extended CONNECT, first as HAProxy 2.6 sends it
		set = append(set, http2.Setting{ID: http2.SettingEnableConnectProtocol, Val: 1})
	}
	set = append(set, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: s.MaxConcurrentStreams})
	if s.HeaderTableSize != 4096 {
		set = append(set, http2.Setting{ID: http2.SettingHeaderTableSize, Val: s.HeaderTableSize})
	}
	if s.InitialWindowSize != 65535 {
		set = append(set, http2.Setting{ID: http2.SettingInitialWindowSize, Val: s.InitialWindowSize})
	}
	if s.MaxFrameSize != 16384 {
		set = append(set, http2.Setting{ID: http2.SettingMaxFrameSize, Val: s.MaxFrameSize})
	}
	if err := c.write(func() error { return c.fr.WriteSettings(set...) }); err != nil {
		return err
	}
	c.mu.Lock()
	c.started = true
	later := c.later
	c.mu.Unlock()
	if later {
		c.goAwayFrame(http2.ErrCodeNo)
	}
	first := true
	for {
		c.giveCredit() // a failed write makes the connection dead
		c.armIdle()
		var f http2.Frame
		var hb *headerBlock
		fh, err := c.fr.ReadFrameHeader() // size and CONTINUATION order checked
		if err == nil && fh.Type == http2.FrameHeaders {
			hb, err = c.readHeaders(fh)
		} else if err == nil {
			f, err = c.fr.ReadFrameForHeader(fh)
		}
		if err != nil {
			if hb != nil && err == http2.ConnectionError(http2.ErrCodeProtocol) {
				// A header block past the list limit (a CONTINUATION
				// flood): HAProxy's buffer overflows, INTERNAL_ERROR.
				c.goAway(http2.ErrCodeInternal)
				return err
			}
			if ce, ok := err.(http2.ConnectionError); ok {
				c.goAway(http2.ErrCode(ce))
				return err
			}
			if se, ok := err.(http2.StreamError); ok {
				if first {
					c.goAway(http2.ErrCodeProtocol)
					return err
				}
				c.resetStream(se.StreamID, se.Code)
				// (a field or pseudo-field the decoder refused: Cause)
				if fh.Type == http2.FrameHeaders && se.Cause != nil && c.isNewStream(se.StreamID) {
					c.refused()
				}
				continue
			}
			if c.closing(err) {
				return nil // GOAWAY sent and every stream done
			}
			return err
		}
		if first {
			if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
				return errNoSettings // the preface lacks SETTINGS: closed, as HAProxy
			}
			first = false
		}
		var code http2.ErrCode
		var connErr bool
		if hb != nil {
			code, connErr = c.onHeaders(hb)
		} else {
			code, connErr = c.handle(f)
		}
		if connErr {
			c.goAway(code)
			return http2.ConnectionError(code)
		}
	}
}

// closing reports a drained connection after GOAWAY, or an idle one,
// whose read failed with err.
func (c *Conn) closing(err error) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.streams) > 0 {
		return false
	}
	if err == io.EOF || c.peerDoneLocked() || c.dead != nil {
		// The client's FIN or GOAWAY, no stream left: closed without
		// a GOAWAY (peer_gone.go); a dead connection sent its own.
		return true
	}
	// Idle timeout, or the end of a drain: a GOAWAY(NO_ERROR) says
	// goodbye (HAProxy sends it again after the soft stop's one).
	c.goaway = true
	c.mu.Unlock()
	c.goAwayFrame(http2.ErrCodeNo)
	c.mu.Lock()
	return true
}

// handle acts on one frame; a true second result is a connection error.
func (c *Conn) handle(f http2.Frame) (http2.ErrCode, bool) {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		return c.onSettings(f)
	case *http2.DataFrame:
		return c.onData(f)
	case *http2.WindowUpdateFrame:
		return c.onWindowUpdate(f)
	case *http2.PingFrame:
		if !f.IsAck() {
			c.write(func() error { return c.fr.WritePing(true, f.Data) })
		}
	case *http2.RSTStreamFrame:
		c.mu.Lock()
		st := c.streams[f.StreamID]
		idle := f.StreamID > c.seenID
		if st != nil {
			st.abortLocked()
			c.cond.Broadcast()
		}
		c.forgetAwaitedLocked(f.StreamID)
		c.mu.Unlock()
		if idle {
			return http2.ErrCodeProtocol, true
		}
	case *http2.GoAwayFrame:
		c.onPeerGoAway(f) // peer_gone.go
	case *http2.PushPromiseFrame:
		return http2.ErrCodeProtocol, true
	}
	// PRIORITY and unknown frame types are ignored (§5.5, §5.3.2).
	return 0, false
}

func (c *Conn) onSettings(f *http2.SettingsFrame) (http2.ErrCode, bool) {
	if f.IsAck() {
		return 0, false
	}
	var code http2.ErrCode
	f.ForeachSetting(func(s http2.Setting) error {
		if err := s.Valid(); err != nil {
			code = http2.ErrCodeProtocol
			if ce, ok := err.(http2.ConnectionError); ok {
				code = http2.ErrCode(ce)
			}
			return err
		}
		switch s.ID {
		case http2.SettingInitialWindowSize:
			c.mu.Lock()
			delta := int64(s.Val) - int64(c.peerWin)
			c.peerWin = int32(s.Val)
			for _, st := range c.streams {
				st.sendWin += delta
				if st.sendWin > 1<<31-1 {
					code = http2.ErrCodeFlowControl
				}
			}
			c.cond.Broadcast()
			c.mu.Unlock()
		case http2.SettingMaxFrameSize:
			c.mu.Lock()
			c.peerMax = s.Val
			c.mu.Unlock()
		case http2.SettingHeaderTableSize:
			c.wmu.Lock()
			c.setEncoderTableLimit(s.Val)
			c.wmu.Unlock()
		}
		return nil
	})
	if code != 0 {
		return code, true
	}
	c.write(func() error { return c.fr.WriteSettingsAck() })
	return 0, false
}

func (c *Conn) onData(f *http2.DataFrame) (http2.ErrCode, bool) {
	id, n := f.StreamID, int32(f.Length)
	c.mu.Lock()
	st := c.streams[id]
	if st == nil && id > c.seenID {
		c.mu.Unlock()
		return http2.ErrCodeProtocol, true // DATA on an idle stream
	}
	c.mu.Unlock()
	// The connection window is given back at once (the stream windows
	// bound what is buffered), in one WINDOW_UPDATE for the frames of a
	// read (giveCredit).
	c.credit += uint32(n)
	if st == nil {
		if !c.awaitedData(id, len(f.Data()), f.StreamEnded()) { // await_end.go
			c.resetStream(id, http2.ErrCodeStreamClosed)
		}
		return 0, false
	}
	c.mu.Lock()
	if st.remoteDone {
		c.mu.Unlock()
		c.resetStream(id, http2.ErrCodeStreamClosed)
		return 0, false
	}
	if n > st.recvWin {
		c.mu.Unlock()
		c.resetStream(id, http2.ErrCodeFlowControl)
		return 0, false
	}
	st.recvWin -= n
	got := st.got + int64(len(f.Data()))
	cl := st.Req.ContentLength
	if cl >= 0 && (got > cl || (f.StreamEnded() && got != cl)) {
		// §8.1.1: content-length and the DATA disagree. As HAProxy's
		// mux, none of the frame reaches the request: the stream is
		// reset with what came before.
		c.mu.Unlock()
		c.resetStream(id, http2.ErrCodeProtocol)
		return 0, false
	}
	st.unacked += n - int32(len(f.Data())) // padding is consumed at once
	st.in = append(st.in, f.Data()...)
	st.got = got
	if f.StreamEnded() {
		st.endRemoteLocked()
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	return 0, false
}

func (c *Conn) onWindowUpdate(f *http2.WindowUpdateFrame) (http2.ErrCode, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.StreamID == 0 {
		c.sendWin += int64(f.Increment)
		if c.sendWin > 1<<31-1 {
			return http2.ErrCodeFlowControl, true
		}
		c.cond.Broadcast()
		return 0, false
	}
	st := c.streams[f.StreamID]
	if st == nil {
		if f.StreamID > c.seenID {
			return http2.ErrCodeProtocol, true
		}
		return 0, false
	}
	st.sendWin += int64(f.Increment)
	if st.sendWin > 1<<31-1 {
		c.mu.Unlock()
		c.resetStream(f.StreamID, http2.ErrCodeFlowControl)
		c.mu.Lock()
		return 0, false
	}
	c.cond.Broadcast()
	return 0, false
}

// giveCredit returns the connection window the DATA frames read so far
// took, in one WINDOW_UPDATE, once the frames already received are all
// read (the reader is about to wait for the client) or half the initial
// window is owed, as HAProxy sends one per pass over its input rather
// than one per frame. The client never waits for credit while its frames
// sit unread in the buffer: they are read first.
func (c *Conn) giveCredit() error {
	if c.credit == 0 || c.br.Buffered() > 0 && c.credit < 1<<15 {
		return nil
	}
	n := c.credit
	c.credit = 0
	c.wmu.Lock()
	return c.endWrite(c.fr.WriteWindowUpdate(0, n), true)
}

// run serves a stream and ends it when its handler returns.
func (c *Conn) run(st *Stream) {
	defer c.wg.Done()
	defer st.finish()
	c.opt.Handler(st)
}

// resetStream sends RST_STREAM and forgets the stream.
func (c *Conn) resetStream(id uint32, code http2.ErrCode) {
	c.mu.Lock()
	if st := c.streams[id]; st != nil {
		st.abortLocked()
		c.cond.Broadcast()
	}
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteRSTStream(id, code) })
}

// GoAway starts a graceful close (soft stop): no stream beyond those
// already opened, and the connection ends once they are done.
func (c *Conn) GoAway() {
	c.stopped.Store(true)
	c.mu.Lock()
	if c.goaway {
		c.mu.Unlock()
		return
	}
	c.goaway = true
	idle := len(c.streams) == 0
	if !c.started {
		c.later = true
		c.mu.Unlock()
		return
	}
	c.mu.Unlock()
	c.goAwayFrame(http2.ErrCodeNo)
	if idle {
		c.armIdle()
	}
}

// goAway ends the connection on an error: GOAWAY with the code.
func (c *Conn) goAway(code http2.ErrCode) {
	c.mu.Lock()
	c.goaway = true
	if c.dead == nil {
		c.dead = http2.ConnectionError(code)
	}
	c.mu.Unlock()
	c.goAwayFrame(code)
}

func (c *Conn) goAwayFrame(code http2.ErrCode) {
	c.mu.Lock()
	last := c.lastID
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteGoAway(last, code, nil) })
}
