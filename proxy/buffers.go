package proxy

import (
	"sync"
	"sync/atomic"
)

// The pooled buffers sessions read and copy through.

var bufPool = sync.Pool{New: func() any { made.buf.Add(1); b := make([]byte, bufSize); return &b }}

// smallPool holds the buffers an idle session reads the first bytes of
// its next request into (see waitIdle).
var smallPool = sync.Pool{New: func() any { made.small.Add(1); b := make([]byte, 1024); return &b }}

// buffersInUse counts pooled buffers currently taken when countBuffers is
// set (tests assert idle connections hold none). Only tests set it: a
// counter every session updates four times per request is a cache line
// bouncing between cores.
var (
	buffersInUse atomic.Int64
	countBuffers bool
)

// streamBufSize is the buffer of a body copied past one bufSize: the
// size of a pipe, so a copy makes as few system calls as a splice.
const streamBufSize = 64 << 10

var streamBufPool = sync.Pool{New: func() any { made.stream.Add(1); b := make([]byte, streamBufSize); return &b }}

// getBuf takes a buffer of the proxy's tune.bufsize: the shared pool's
// when it is no larger than the default (limits slice it), else the
// proxy's own.
func (p *Proxy) getBuf() *[]byte {
	if p.bigBufs != nil {
		return takeFrom(p.bigBufs)
	}
	return getBuf()
}

func (p *Proxy) putBuf(b *[]byte) {
	if p.bigBufs != nil {
		giveTo(p.bigBufs, b)
		return
	}
	putBuf(b)
}

// newBigBufs is the pool of a tune.bufsize over the default.
func newBigBufs(size int) *sync.Pool {
	if size <= bufSize {
		return nil
	}
	return &sync.Pool{New: func() any { made.buf.Add(1); b := make([]byte, size); return &b }}
}

func getBuf() *[]byte        { return takeFrom(&bufPool) }
func putBuf(b *[]byte)       { giveTo(&bufPool, b) }
func getStreamBuf() *[]byte  { return takeFrom(&streamBufPool) }
func putStreamBuf(b *[]byte) { giveTo(&streamBufPool, b) }

func takeFrom(pool *sync.Pool) *[]byte {
	if countBuffers {
		buffersInUse.Add(1)
	}
	return pool.Get().(*[]byte)
}

func giveTo(pool *sync.Pool, b *[]byte) {
	if countBuffers {
		buffersInUse.Add(-1)
	}
	pool.Put(b)
}
