package h2

import (
	"io"
	"sync"
)

// A write of more than one frame's worth of DATA (a tunnel, a large
// body) goes out as consecutive DATA frames built in one buffer and
// handed to the connection's writer at once: one lock round, one flush
// and usually one system call for up to maxBurst bytes, where a frame
// at a time cost a flush and a system call per 16 KB (HAProxy's H2 mux
// also fills its output buffer with as many frames as fit before it
// sends). Each frame carries at most the peer's SETTINGS_MAX_FRAME_SIZE
// and all of them fit the flow-control windows taken before.

// maxBurst bounds the DATA bytes of one burst (the relay's read size).
const maxBurst = 64 << 10

// burstPool holds the buffers bursts are built in (taken and given back
// under the write lock: no connection keeps one).
var burstPool = sync.Pool{New: func() any {
	b := make([]byte, 0, maxBurst+(maxBurst/minFrameSize+1)*frameHeaderLen)
	return &b
}}

const (
	frameHeaderLen = 9
	minFrameSize   = 16384 // the smallest SETTINGS_MAX_FRAME_SIZE (RFC 9113 §6.5.2)
)

// writeDataBurst writes p on stream id as DATA frames of at most max
// bytes each, END_STREAM on the last one when end is set, through w (the
// write lock held).
func writeDataBurst(w io.Writer, id uint32, p []byte, max int, end bool) error {
	bp := burstPool.Get().(*[]byte)
	buf := (*bp)[:0]
	for first := true; first || len(p) > 0; first = false {
		k := min(len(p), max)
		var flags byte
		if end && k == len(p) {
			flags = 0x1 // END_STREAM
		}
		buf = append(buf, byte(k>>16), byte(k>>8), byte(k), 0x0 /* DATA */, flags,
			byte(id>>24)&0x7f, byte(id>>16), byte(id>>8), byte(id))
		buf = append(buf, p[:k]...)
		p = p[k:]
	}
	_, err := w.Write(buf)
	*bp = buf[:0]
	burstPool.Put(bp)
	return err
}
