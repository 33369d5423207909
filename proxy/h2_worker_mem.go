package proxy

import "github.com/goha-lb/goha/proxy/h2"

// workerMem is the memory an h2 worker keeps from one stream to the next
// (h2.Stream.Local): a released stream session, the stream scratch and a
// session buffer. Taken and given back on the worker's goroutine, warm
// in its caches, with no pool between (sync.Pool's Get and Put around
// each stream, the memory put back on one P and taken on the other, were
// about 5% of an HTTP/2 request's CPU).
type workerMem struct {
	all *streamSession // zeroed (releaseStreamSession); nil: none kept
	sc  *streamScratch
	bp  *[]byte // a buffer of the shared pool's size (bufPool)
}

// workerMemOf is the memory of the worker serving st; nil for a stream
// served outside a worker.
func workerMemOf(st *h2.Stream) *workerMem { return workerMemIn(st.Local()) }

// workerMemIn is the memory in a worker's slot (nil: none).
func workerMemIn(slot *any) *workerMem {
	if slot == nil {
		return nil
	}
	wm, _ := (*slot).(*workerMem)
	if wm == nil {
		wm = new(workerMem)
		*slot = wm
	}
	return wm
}

func (wm *workerMem) takeSession() *streamSession {
	if wm == nil || wm.all == nil {
		return new(streamSession)
	}
	all := wm.all
	wm.all = nil
	return all
}

func (wm *workerMem) takeScratch() *streamScratch {
	if wm == nil || wm.sc == nil {
		return newStreamScratch()
	}
	sc := wm.sc
	wm.sc = nil
	return sc
}

// keepScratch keeps a finished stream's scratch for the worker's next.
func (wm *workerMem) keepScratch(sc *streamScratch) {
	if wm != nil {
		wm.sc = sc
	}
}

// takeStreamBuf gives a stream's session the buffer its worker kept (the
// shared pool's size), or one from the pool. Counted in use as a pool's.
func (s *session) takeStreamBuf(wm *workerMem) {
	if wm == nil || wm.bp == nil || s.p.bigBufs != nil {
		s.takeBuf()
		return
	}
	if countBuffers {
		buffersInUse.Add(1)
	}
	s.bp, wm.bp = wm.bp, nil
	s.buf = *s.bp
}

// keepStreamBuf takes a finished stream's buffer back: kept by its worker
// for the next stream when it is the shared pool's size and the worker
// keeps none, else back to its pool.
func (s *session) keepStreamBuf() {
	wm := workerMemOf(s.stream)
	if s.bp == nil || wm == nil || wm.bp != nil || s.p.bigBufs != nil {
		s.dropBuf()
		return
	}
	if countBuffers {
		buffersInUse.Add(-1)
	}
	wm.bp, s.bp, s.buf = s.bp, nil, nil
}

// releaseStreamSession takes a finished stream's session back (the h2
// engine's Release, on the stream's worker, with the worker's slot:
// nothing else can reach it any more), zeroed, so the next stream of
// that worker starts from what a new allocation gives and nothing it
// pointed to is kept alive. The stream itself may already carry another
// request: only its slot is read.
func releaseStreamSession(a h2.Aborter, local *any) {
	all, ok := a.(*streamSession)
	if !ok || all.s.stream == nil {
		return
	}
	wm := workerMemIn(local)
	*all = streamSession{}
	if wm != nil && wm.all == nil {
		wm.all = all
	}
}
