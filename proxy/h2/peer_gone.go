package h2

import (
	"time"

	"golang.org/x/net/http2"
)

// A client that leaves after its requests: HAProxy 2.6's H2 mux serves
// the streams whose request came whole to their end, measured on 2.6.12
// (TestH2ClientGoneAfterRequestMatchesHAProxy).
//
//   - Its FIN (a close, or a shutdown of its writes): streams whose
//     request ended (END_STREAM) go on, their responses are written
//     (the log says 200 ----); the others are aborted (CD). Once no
//     stream is left the connection is closed without a GOAWAY, and at
//     once when none was open.
//   - Its GOAWAY: streams go on as before; once none is left and the
//     client opened every stream up to the GOAWAY's last id, the
//     connection is closed without a GOAWAY of ours. A GOAWAY names a
//     last stream of the server's (pushed) streams: the client may still
//     open streams, and they are served.

// onPeerGoAway notes the client's first GOAWAY.
func (c *Conn) onPeerGoAway(f *http2.GoAwayFrame) {
	c.mu.Lock()
	if !c.peerGoaway {
		c.peerGoaway, c.peerLast = true, f.LastStreamID
	}
	if len(c.streams) == 0 && c.peerDoneLocked() {
		// Nothing left: the reader's next read ends at once (closing).
		c.t.SetReadDeadline(time.Now())
		c.noDeadline = false
		c.busy.Store(false)
	}
	c.mu.Unlock()
}

// peerDoneLocked says whether the client's GOAWAY ends the connection
// once no stream is left (c.mu held).
func (c *Conn) peerDoneLocked() bool { return c.peerGoaway && c.seenID >= c.peerLast }

// servePastFIN serves, after the client's FIN, the streams whose request
// came whole, and aborts the others.
func (c *Conn) servePastFIN() {
	c.mu.Lock()
	for _, st := range c.streams {
		if !st.remoteDone {
			st.abortLocked()
		}
	}
	c.cond.Broadcast()
	c.mu.Unlock()
	c.wg.Wait()
}
