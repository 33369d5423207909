package proxy

// A server's answer is read into a buffer of the shared pool taken when
// the answer is there, not when the request leaves: while the stream
// waits for its server (with 512 HTTP/2 streams in flight, the time of
// 511 other exchanges), a buffer taken early goes cold in the CPU's
// caches, and the kernel's copy of the answer and its parse then miss
// on every line. Taken on arrival it is the one the last exchange to
// finish gave back, still warm, as HAProxy allocates a channel's buffer
// when data comes to fill it.

// takeSbuf takes the exchange's server buffer unless it has it.
func (x *exchange) takeSbuf() {
	if x.sbp == nil {
		x.sbp = x.s.p.getBuf()
		x.sbuf = *x.sbp
	}
}

// putSbuf gives the server buffer back at the exchange's end.
func (x *exchange) putSbuf() {
	if x.sbp != nil {
		x.s.p.putBuf(x.sbp)
		x.sbp, x.sbuf = nil, nil
	}
}
