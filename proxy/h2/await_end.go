package h2

import (
	"time"

	"golang.org/x/net/http2"
)

// A stream whose request body arrived whole by its content-length but
// without END_STREAM yet, and whose response is complete: HAProxy 2.6
// neither resets it nor forgets it, it waits for the end of the request
// (measured on 2.6.12 with a client sending "abc" under content-length 3,
// then END_STREAM 500 ms later: the response, then nothing). The end
// comes as an empty DATA frame or trailers with END_STREAM and closes
// the stream quietly; DATA past the content-length resets it with
// PROTOCOL_ERROR (RFC 9113 §8.1.1), after the response (HAProxy's
// response, then RST_STREAM(PROTOCOL_ERROR)). A handler that logs the
// request's end waits for it (AwaitRequestEnd: the server responses);
// otherwise the stream keeps no memory but its id in Conn.awaiting;
// beyond maxAwaiting, or for a body not whole, the stream is reset with
// RST_STREAM(CANCEL) (HAProxy's code there; Stream.finish).

// maxAwaiting bounds the streams a connection waits the end of.
const maxAwaiting = 64

// awaitEndLocked notes st, finished with its response, as waiting for
// the end of its request, when its body is whole (c.mu held); false:
// it is reset instead.
func (c *Conn) awaitEndLocked(st *Stream) bool {
	cl := st.Req.ContentLength
	if cl < 0 || st.got != cl || len(c.awaiting) >= maxAwaiting {
		return false
	}
	if c.awaiting == nil {
		c.awaiting = map[uint32]struct{}{}
	}
	c.awaiting[st.id] = struct{}{}
	return true
}

// awaitedData takes a DATA frame on a stream no longer open; false: the
// stream was not waiting (the caller resets it as closed).
func (c *Conn) awaitedData(id uint32, payload int, end bool) bool {
	c.mu.Lock()
	_, ok := c.awaiting[id]
	if ok && (payload > 0 || end) {
		delete(c.awaiting, id)
	}
	c.mu.Unlock()
	if ok && payload > 0 {
		c.resetStream(id, http2.ErrCodeProtocol) // past its content-length
	}
	return ok
}

// awaitedHeaders takes a HEADERS frame on a stream no longer open:
// trailers ending a waiting stream close it, anything else resets it;
// false: the stream was not waiting.
func (c *Conn) awaitedHeaders(id uint32, end bool) bool {
	c.mu.Lock()
	_, ok := c.awaiting[id]
	delete(c.awaiting, id)
	c.mu.Unlock()
	if ok && !end {
		c.resetStream(id, http2.ErrCodeProtocol)
	}
	return ok
}

// forgetAwaited drops a waiting stream the client reset.
func (c *Conn) forgetAwaitedLocked(id uint32) { delete(c.awaiting, id) }

// AwaitRequestEnd waits, once the stream's response is complete, for the
// end of a request whose body came whole by its content-length without
// END_STREAM: HAProxy 2.6 keeps such a stream, and its log line, until
// the request ends (measured on 2.6.12). It says how the request ended:
// 0 by END_STREAM (or there was nothing to wait for); 'C' by the
// client otherwise (DATA past the content-length, which reset the
// stream with PROTOCOL_ERROR, its own RST_STREAM, the connection's end);
// 'c' when timeout (0: none) ran out first, the stream then reset with
// CANCEL, HAProxy's code.
func (st *Stream) AwaitRequestEnd(timeout time.Duration) byte {
	c := st.c
	c.mu.Lock()
	cl := st.Req.ContentLength
	if !st.localDone || st.remoteDone || st.aborted || cl < 0 || st.got != cl {
		c.mu.Unlock()
		return 0
	}
	var dl time.Time
	if timeout > 0 {
		dl = time.Now().Add(timeout)
	}
	st.rdl.Store(deadlineNanos(dl))
	for {
		switch {
		case st.aborted || c.dead != nil:
			c.mu.Unlock()
			return 'C'
		case st.remoteDone:
			c.mu.Unlock()
			return 0
		}
		if !st.waitFor(&st.rdl, &st.rtimer) {
			break
		}
	}
	st.aborted = true // finish sends no second reset
	c.mu.Unlock()
	c.write(func() error { return c.fr.WriteRSTStream(st.id, http2.ErrCodeCancel) })
	return 'c'
}

// Aborted says whether the stream was reset, either way.
func (st *Stream) Aborted() bool {
	c := st.c
	c.mu.Lock()
	defer c.mu.Unlock()
	return st.aborted
}
