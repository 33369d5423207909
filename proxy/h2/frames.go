package h2

import (
	"sync"
	"time"

	"golang.org/x/net/http2"
)

// Pieces both sides of the engine share: the server side (Conn, a
// client's connection) and the client side (ClientConn, a connection to
// a server).

// writeBlock writes an encoded header block on stream id as one HEADERS
// frame and as many CONTINUATION frames as the peer's frame size asks;
// end sets END_STREAM.
func writeBlock(fr *http2.Framer, id uint32, block []byte, max int, end bool) error {
	first := true
	for first || len(block) > 0 {
		frag := block
		if len(frag) > max {
			frag = frag[:max]
		}
		block = block[len(frag):]
		var err error
		if first {
			err = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: frag, EndStream: end, EndHeaders: len(block) == 0})
			first = false
		} else {
			err = fr.WriteContinuation(id, len(block) == 0, frag)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// waitCond waits on cond (its lock held), woken at dl at the latest
// (zero: no limit); tm is the waiter's reusable timer.
func waitCond(cond *sync.Cond, dl time.Time, tm **time.Timer) {
	if !dl.IsZero() {
		d := time.Until(dl)
		if *tm == nil {
			*tm = time.AfterFunc(d, func() { cond.L.Lock(); cond.Broadcast(); cond.L.Unlock() })
		} else {
			(*tm).Reset(d)
		}
	}
	cond.Wait()
}
