package h2

// Ender is told when its stream's response is about to end: right before
// the frame carrying END_STREAM is written, on the writing goroutine
// (the stream's handler), so that what it does comes before the client
// can see the stream end and open the next one. The proxy gives back
// there a stream's variable bytes counted in its connection's session
// (proxy/vars_shared.go), as HAProxy frees a stream before its mux sends
// the frames the stream left.
type Ender interface{ BeforeEnd() }

// SetBeforeEnd sets who is told before the response ends; the handler
// sets it before it writes, and the writes that end the stream call it
// on the handler's goroutine.
func (st *Stream) SetBeforeEnd(e Ender) { st.beforeEnd = e }

// endComing tells the stream's Ender, once, that the response ends.
func (st *Stream) endComing() {
	if e := st.beforeEnd; e != nil {
		st.beforeEnd = nil
		e.BeforeEnd()
	}
}
