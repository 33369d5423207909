package h2

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"sync"
	"time"

	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// ClientConn is the client side of one HTTP/2 connection to a server
// (server ... proto h2, or ALPN h2): streams are opened on it by
// requests, as many at once as the server's SETTINGS allow, and the
// connection is shared by them (HAProxy's multiplexed reuse).
type ClientConn struct {
	t      Transport
	closer io.Closer
	fr     *http2.Framer
	wmu    sync.Mutex // frame writes and stream creation: bw, henc, hbuf
	bw     *bufio.Writer
	henc   *hpack.Encoder
	hbuf   bytes.Buffer
	win    uint32 // our SETTINGS_INITIAL_WINDOW_SIZE

	mu         sync.Mutex
	cond       *sync.Cond
	streams    map[uint32]*ClientStream
	nextID     uint32
	maxStreams uint32 // the server's SETTINGS_MAX_CONCURRENT_STREAMS
	sendWin    int64
	peerWin    int32
	peerMax    uint32
	extConnect bool  // the server's SETTINGS_ENABLE_CONNECT_PROTOCOL (RFC 8441)
	goaway     bool  // a GOAWAY came (or went): no new stream
	dead       error // the connection failed: every stream fails
	idleSince  time.Time
	ready      chan struct{} // closed at the server's first SETTINGS, or when the connection fails
	readyOnce  sync.Once
}

// Errors a stream to a server ends with. ErrRefused is a stream the
// server did not process (REFUSED_STREAM, or past a GOAWAY's last
// stream): it may be replayed elsewhere.
var (
	ErrRefused    = errors.New("h2: stream refused by the server")
	ErrNoCapacity = errors.New("h2: no stream available on the connection")
	ErrReset      = errors.New("h2: stream reset by the server")
	ErrBadFrame   = errors.New("h2: malformed response from the server")
	// ErrMalformedHead is a response head the server sent in
	// well-formed frames but with fields HTTP/2 forbids (HAProxy's
	// 502 PH).
	ErrMalformedHead = errors.New("h2: malformed response head")
)

// NewClientConn sends the preface and our SETTINGS on t (a fresh
// connection) and starts reading the server's frames. Until the server's
// SETTINGS arrive, its stream limit is taken as s.MaxConcurrentStreams
// (as HAProxy does). closer ends the connection.
func NewClientConn(t Transport, closer io.Closer, s Settings) (*ClientConn, error) {
	s = s.orDefault()
	c := &ClientConn{t: t, closer: closer, streams: map[uint32]*ClientStream{}, nextID: 1,
		maxStreams: s.MaxConcurrentStreams, sendWin: 65535, peerWin: 65535, peerMax: 16384,
		win: s.InitialWindowSize, idleSince: time.Now(), ready: make(chan struct{})}
	c.cond = sync.NewCond(&c.mu)
	c.bw = bufio.NewWriterSize(t, 16384)
	c.fr = http2.NewFramer(c.bw, bufio.NewReaderSize(t, 16384))
	c.fr.SetMaxReadFrameSize(s.MaxFrameSize)
	c.fr.ReadMetaHeaders = hpack.NewDecoder(s.HeaderTableSize, nil)
	c.fr.MaxHeaderListSize = maxHeaderList
	c.henc = hpack.NewEncoder(&c.hbuf)
	// As HAProxy 2.6's backend side: no push, extended CONNECT (RFC
	// 8441) offered unless NoConnectProtocol, its stream limit.
	set := []http2.Setting{{ID: http2.SettingEnablePush, Val: 0}}
	if !s.NoConnectProtocol {
		set = append(set, http2.Setting{ID: http2.SettingEnableConnectProtocol, Val: 1})
	}
	// Then, in HAProxy 2.6.12's order, the table size and window that
	// differ from the defaults and the stream limit; no MAX_FRAME_SIZE,
	// even with tune.h2.max-frame-size set (measured:
	// TestH2CheckWireMatchesHAProxy).
	if s.HeaderTableSize != 4096 {
		set = append(set, http2.Setting{ID: http2.SettingHeaderTableSize, Val: s.HeaderTableSize})
	}
	if s.InitialWindowSize != 65535 {
		set = append(set, http2.Setting{ID: http2.SettingInitialWindowSize, Val: s.InitialWindowSize})
	}
	set = append(set, http2.Setting{ID: http2.SettingMaxConcurrentStreams, Val: s.MaxConcurrentStreams})
	err := c.write(func() error {
		if _, err := c.bw.WriteString(Preface); err != nil {
			return err
		}
		return c.fr.WriteSettings(set...)
	})
	if err != nil {
		return nil, err
	}
	go c.readLoop()
	return c, nil
}

// ExtendedConnect reports whether the server offered extended CONNECT
// (RFC 8441) in its SETTINGS.
func (c *ClientConn) ExtendedConnect() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.extConnect
}

// ErrNoPreface is a server that did not send its SETTINGS in time.
var ErrNoPreface = errors.New("h2: no SETTINGS from the server")

// WaitReady waits until the server's first SETTINGS (its preface) has
// arrived, until deadline at the latest: HAProxy counts it in the
// connection's establishment, so a server that does not speak HTTP/2
// fails the connect.
func (c *ClientConn) WaitReady(deadline time.Time) error {
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		tm := time.NewTimer(time.Until(deadline))
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-c.ready:
	case <-timeout:
		c.fail(ErrNoPreface)
		return ErrNoPreface
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.dead
}

func (c *ClientConn) setReady() { c.readyOnce.Do(func() { close(c.ready) }) }

// CanOpen reports whether a new stream may be opened now.
func (c *ClientConn) CanOpen() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.canOpenLocked()
}

func (c *ClientConn) canOpenLocked() bool {
	return c.dead == nil && !c.goaway && uint32(len(c.streams)) < c.maxStreams && c.nextID < 1<<31
}

// Usable reports a connection that may still carry streams (not failed,
// no GOAWAY), and since when it has carried none (zero: busy).
func (c *ClientConn) Usable() (ok bool, idleSince time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	ok = c.dead == nil && !c.goaway && c.nextID < 1<<31
	if len(c.streams) == 0 {
		idleSince = c.idleSince
	}
	return ok, idleSince
}

// Drain takes no new stream and closes the connection once its open
// streams are done (at once when there is none).
func (c *ClientConn) Drain() {
	c.mu.Lock()
	c.goaway = true
	idle := len(c.streams) == 0
	c.mu.Unlock()
	if idle {
		c.Close()
	}
}

// Close ends the connection: a GOAWAY, then the transport is closed and
// every stream fails.
func (c *ClientConn) Close() error {
	c.mu.Lock()
	gone := c.dead != nil
	c.mu.Unlock()
	if !gone {
		c.write(func() error { return c.fr.WriteGoAway(0, http2.ErrCodeNo, nil) })
	}
	c.fail(io.ErrClosedPipe)
	return nil
}

// fail makes the connection dead with err and closes the transport.
func (c *ClientConn) fail(err error) {
	c.mu.Lock()
	first := c.dead == nil
	if first {
		c.dead = err
	}
	for id, st := range c.streams {
		if st.err == nil {
			st.err = err
		}
		delete(c.streams, id)
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	c.setReady()
	if first {
		c.closer.Close()
	}
}

// connError ends the connection on a protocol error of the server's:
// GOAWAY with the code, every stream fails as malformed.
func (c *ClientConn) connError(code http2.ErrCode) {
	c.write(func() error { return c.fr.WriteGoAway(0, code, nil) })
	c.fail(ErrBadFrame)
}

// write runs one frame write under the write lock and flushes it; a
// failed write kills the connection.
func (c *ClientConn) write(fn func() error) error {
	c.wmu.Lock()
	err := fn()
	if err == nil {
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		c.mu.Lock()
		if c.dead == nil {
			c.dead = err
		}
		c.cond.Broadcast()
		c.mu.Unlock()
	}
	return err
}

func (c *ClientConn) readLoop() {
	first := true
	for {
		c.t.SetReadDeadline(time.Time{})
		f, err := c.fr.ReadFrame()
		if err != nil {
			if se, ok := err.(http2.StreamError); ok && !first {
				c.resetStream(se.StreamID, se.Code, ErrMalformedHead) // the framer's header checks
				continue
			}
			if ce, ok := err.(http2.ConnectionError); ok {
				c.connError(http2.ErrCode(ce))
				return
			}
			if _, ok := err.(http2.StreamError); ok {
				c.connError(http2.ErrCodeProtocol)
				return
			}
			if errors.Is(err, http2.ErrFrameTooLarge) {
				c.connError(http2.ErrCodeFrameSize)
				return
			}
			c.fail(err)
			return
		}
		if first {
			if sf, ok := f.(*http2.SettingsFrame); !ok || sf.IsAck() {
				c.connError(http2.ErrCodeProtocol) // §3.4: the server's preface is SETTINGS
				return
			}
		}
		if code, bad := c.handle(f); bad {
			c.connError(code)
			return
		}
		if first {
			first = false
			c.setReady() // the SETTINGS applied: streams may open
		}
	}
}

// handle acts on one frame; a true second result is a connection error.
func (c *ClientConn) handle(f http2.Frame) (http2.ErrCode, bool) {
	switch f := f.(type) {
	case *http2.SettingsFrame:
		return c.onSettings(f)
	case *http2.MetaHeadersFrame:
		return c.onHeaders(f)
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
		unopened := f.StreamID >= c.nextID
		c.mu.Unlock()
		if unopened {
			return http2.ErrCodeProtocol, true
		}
		if st != nil {
			err := ErrReset
			if f.ErrCode == http2.ErrCodeRefusedStream {
				err = ErrRefused
			}
			c.endStream(st, err)
		}
	case *http2.GoAwayFrame:
		c.onGoAway(f)
	case *http2.PushPromiseFrame:
		return http2.ErrCodeProtocol, true // push is disabled by our SETTINGS
	}
	return 0, false
}

func (c *ClientConn) onSettings(f *http2.SettingsFrame) (http2.ErrCode, bool) {
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
		c.mu.Lock()
		defer c.mu.Unlock()
		switch s.ID {
		case http2.SettingMaxConcurrentStreams:
			c.maxStreams = s.Val
		case http2.SettingInitialWindowSize:
			delta := int64(s.Val) - int64(c.peerWin)
			c.peerWin = int32(s.Val)
			for _, st := range c.streams {
				st.sendWin += delta
				if st.sendWin > 1<<31-1 {
					code = http2.ErrCodeFlowControl
				}
			}
			c.cond.Broadcast()
		case http2.SettingMaxFrameSize:
			c.peerMax = s.Val
		case http2.SettingEnableConnectProtocol:
			c.extConnect = s.Val == 1
		case http2.SettingHeaderTableSize:
			c.mu.Unlock()
			c.wmu.Lock()
			c.henc.SetMaxDynamicTableSizeLimit(s.Val)
			c.wmu.Unlock()
			c.mu.Lock()
		}
		return nil
	})
	if code != 0 {
		return code, true
	}
	c.write(func() error { return c.fr.WriteSettingsAck() })
	return 0, false
}

// stream finds an open stream; for an unknown one, whether the server
// named a stream we never opened (a connection error).
func (c *ClientConn) stream(id uint32) (st *ClientStream, unopened bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.streams[id], id%2 == 0 || id >= c.nextID
}

func (c *ClientConn) onHeaders(f *http2.MetaHeadersFrame) (http2.ErrCode, bool) {
	st, unopened := c.stream(f.StreamID)
	if st == nil {
		if unopened {
			return http2.ErrCodeProtocol, true
		}
		return 0, false // a stream we reset: its answer is dropped
	}
	if f.Truncated {
		c.resetStream(st.id, http2.ErrCodeProtocol, ErrMalformedHead)
		return 0, false
	}
	c.mu.Lock()
	final := st.final
	c.mu.Unlock()
	if final {
		// Trailers: they end the stream, no pseudo-field.
		if !f.StreamEnded() || checkTrailers(f.Fields) != nil {
			c.resetStream(st.id, http2.ErrCodeProtocol, ErrBadFrame)
			return 0, false
		}
		c.mu.Lock()
		st.Trailers = f.Fields
		st.remoteDone = true
		c.cond.Broadcast()
		c.mu.Unlock()
		return 0, false
	}
	h, err := parseResponse(f.Fields)
	if err != nil {
		c.resetStream(st.id, http2.ErrCodeProtocol, ErrMalformedHead)
		return 0, false
	}
	c.mu.Lock()
	st.heads = append(st.heads, h)
	if h.Status < 200 && f.StreamEnded() {
		// An interim response ending the stream: it is passed on, and
		// the missing final one fails the stream (as HAProxy does).
		st.remoteDone = true
	}
	if h.Status >= 200 {
		st.final = true
		st.contentLength = h.ContentLength
		if f.StreamEnded() {
			st.remoteDone = true
			bad := h.ContentLength > 0
			c.mu.Unlock()
			if bad {
				c.resetStream(st.id, http2.ErrCodeProtocol, ErrBadFrame)
				return 0, false
			}
			c.mu.Lock()
		}
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	return 0, false
}

func (c *ClientConn) onData(f *http2.DataFrame) (http2.ErrCode, bool) {
	n := int32(f.Length)
	st, unopened := c.stream(f.StreamID)
	if st == nil && unopened {
		return http2.ErrCodeProtocol, true
	}
	// The connection window goes back at once: stream windows bound
	// what is buffered.
	if n > 0 {
		c.write(func() error { return c.fr.WriteWindowUpdate(0, uint32(n)) })
	}
	if st == nil {
		return 0, false
	}
	c.mu.Lock()
	if !st.final || st.remoteDone || n > st.recvWin {
		c.mu.Unlock()
		c.resetStream(st.id, http2.ErrCodeProtocol, ErrBadFrame)
		return 0, false
	}
	st.recvWin -= n
	st.unacked += n - int32(len(f.Data()))
	st.in = append(st.in, f.Data()...)
	st.got += int64(len(f.Data()))
	cl := st.contentLength
	bad := cl >= 0 && (st.got > cl || (f.StreamEnded() && st.got != cl))
	if f.StreamEnded() && !bad {
		st.remoteDone = true
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	if bad {
		// §8.1.1: content-length and the DATA disagree: the body is
		// cut, not ended.
		c.resetStream(st.id, http2.ErrCodeProtocol, ErrBadFrame)
	}
	return 0, false
}

func (c *ClientConn) onWindowUpdate(f *http2.WindowUpdateFrame) (http2.ErrCode, bool) {
	c.mu.Lock()
	if f.StreamID == 0 {
		c.sendWin += int64(f.Increment)
		over := c.sendWin > 1<<31-1
		c.cond.Broadcast()
		c.mu.Unlock()
		return http2.ErrCodeFlowControl, over
	}
	st := c.streams[f.StreamID]
	unopened := f.StreamID >= c.nextID
	if st == nil {
		c.mu.Unlock()
		return http2.ErrCodeProtocol, unopened
	}
	st.sendWin += int64(f.Increment)
	over := st.sendWin > 1<<31-1
	c.cond.Broadcast()
	c.mu.Unlock()
	if over {
		c.resetStream(f.StreamID, http2.ErrCodeFlowControl, ErrBadFrame)
	}
	return 0, false
}

// onGoAway stops new streams. The open ones stay until the server
// ends them or closes the connection, or the response times out:
// HAProxy 2.6 waits on them too, even past the last stream named.
func (c *ClientConn) onGoAway(f *http2.GoAwayFrame) {
	c.mu.Lock()
	c.goaway = true
	idle := len(c.streams) == 0
	c.cond.Broadcast()
	c.mu.Unlock()
	if idle {
		c.fail(io.EOF)
	}
}

// endStream forgets a stream the server ended with err.
func (c *ClientConn) endStream(st *ClientStream, err error) {
	c.mu.Lock()
	if st.err == nil {
		st.err = err
	}
	c.forgetLocked(st)
	c.cond.Broadcast()
	c.mu.Unlock()
}

// forgetLocked removes a stream from the connection's count.
func (c *ClientConn) forgetLocked(st *ClientStream) {
	if c.streams[st.id] == st {
		delete(c.streams, st.id)
		if len(c.streams) == 0 {
			c.idleSince = time.Now()
		}
	}
	if c.goaway && len(c.streams) == 0 && c.dead == nil {
		c.dead = io.EOF
		go c.closer.Close()
	}
}

// resetStream sends RST_STREAM with code and fails the stream with err.
func (c *ClientConn) resetStream(id uint32, code http2.ErrCode, err error) {
	c.mu.Lock()
	if st := c.streams[id]; st != nil {
		if st.err == nil {
			st.err = err
		}
		c.forgetLocked(st)
		c.cond.Broadcast()
	}
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteRSTStream(id, code) })
}

// Open starts a request stream with its header fields (pseudo-fields
// first); end: no body follows. ErrNoCapacity when the connection takes
// no more stream.
func (c *ClientConn) Open(fields []Field, end bool) (*ClientStream, error) {
	c.wmu.Lock()
	c.mu.Lock()
	if !c.canOpenLocked() {
		err := c.dead
		if err == nil {
			err = ErrNoCapacity
		}
		c.mu.Unlock()
		c.wmu.Unlock()
		return nil, err
	}
	st := &ClientStream{c: c, id: c.nextID, sendWin: int64(c.peerWin), recvWin: int32(c.win),
		contentLength: -1, localDone: end}
	c.nextID += 2
	c.streams[st.id] = st
	max := int(c.peerMax)
	c.mu.Unlock()
	c.hbuf.Reset()
	for _, f := range fields {
		c.henc.WriteField(f)
	}
	err := writeBlock(c.fr, st.id, c.hbuf.Bytes(), max, end)
	if err == nil {
		err = c.bw.Flush()
	}
	c.wmu.Unlock()
	if err != nil {
		c.fail(err)
		return nil, err
	}
	return st, nil
}
