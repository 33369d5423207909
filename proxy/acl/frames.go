package acl

import (
	"net/netip"
	"strings"
	"sync"
	"unsafe"

	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/stick"
)

// An evaluation needs a little state while its fetch yields values: the
// request, the converters, the value they work on by address, the
// result. A closure over an evaluation's locals would allocate each time,
// so the state lives in a frame whose callbacks are bound once. The
// frames of a request's connection stay on its RequestInfo (EvalState)
// from one evaluation to the next, a stack because an evaluation may run
// inside another; the proxy hands them back (released) when the
// connection ends. An evaluation without a request takes a frame from a
// pool.

// frame is one evaluation in progress. Its fields are those of the kind
// of evaluation that holds it (AppendText, Text, first, lastOnly, an
// acl's match), each set by that kind before its fetch runs; what an
// evaluation leaves is zeroed only when the frames go back to the pool.
type frame struct {
	r     *proxy.RequestInfo
	steps []step
	v     value
	dst   []byte // AppendText's output
	out   string // Text's output
	ok    bool
	f     func(r *proxy.RequestInfo, v *value) // first's consumer
	a     *acl                                 // the acl matching
	last  value                                // lastOnly's value
	found bool

	stack *frameStack // the connection's stack holding the frame (nil: a lone one)

	n   int64         // Int's output
	cfg *stick.Config // StickKey's table
	key []byte        // StickKey's output

	appendYield, textYield, firstYield, lastKeep, matchYield, intYield, keyYield func(value) bool
}

func newFrame() *frame {
	f := &frame{}
	f.appendYield = f.appendTake
	f.textYield = f.textTake
	f.firstYield = f.firstTake
	f.lastKeep = f.lastTake
	f.matchYield = f.matchTake
	f.intYield = f.intTake // frames_stick.go
	f.keyYield = f.keyTake
	return f
}

// reset zeroes what evaluations left, keeping the bound callbacks.
func (f *frame) reset() {
	f.r, f.steps, f.v, f.dst, f.out, f.ok = nil, nil, value{}, nil, "", false
	f.f, f.a, f.last, f.found = nil, nil, value{}, false
	f.n, f.cfg, f.key = 0, nil, nil
}

// frameStack is a connection's frames: the first depth are in use.
type frameStack struct {
	frames []*frame
	depth  int
	// addr and its text are the last address a header value printed
	// (appendAddr): a connection's %[src] is formatted once.
	addr     netip.Addr
	addrText []byte
}

// appendAddr appends the text of a (addrToStr's) to dst.
func (s *frameStack) appendAddr(dst []byte, a netip.Addr) []byte {
	if a != s.addr || len(s.addrText) == 0 {
		s.addr, s.addrText = a, a.AppendTo(s.addrText[:0])
	}
	return append(dst, s.addrText...)
}

var (
	stacks     = sync.Pool{New: func() any { return new(frameStack) }}
	loneFrames = sync.Pool{New: func() any { return newFrame() }}
)

func init() {
	proxy.SetEvalRelease(func(st any) {
		if s, ok := st.(*frameStack); ok && s.depth == 0 {
			for _, f := range s.frames {
				f.reset() // no request memory kept alive by the pool
			}
			stacks.Put(s) // (one left mid-evaluation by a panic is dropped)
		}
	})
}

// push takes a frame for an evaluation on r (nil: none): the common case
// (a connection whose stack has a free frame) here, pushSlow the rest.
// (It is not inlined, its call to pushSlow is too dear for Go's budget;
// an inlined copy of its common case at the evaluations' call sites was
// not measurable in BenchmarkRulesEval.)
func push(r *proxy.RequestInfo) *frame {
	if r != nil {
		if s := (*frameStack)(*r.EvalFast()); s != nil && s.depth < len(s.frames) {
			f := s.frames[s.depth]
			s.depth++
			return f
		}
	}
	return pushSlow(r)
}

// pushSlow is push taking a lone frame, the connection's stack or a new
// frame on it.
func pushSlow(r *proxy.RequestInfo) *frame {
	if r == nil {
		return loneFrames.Get().(*frame)
	}
	slot := r.EvalState()
	s, ok := (*slot).(*frameStack)
	if !ok {
		s = stacks.Get().(*frameStack)
		*slot = s
		*r.EvalFast() = unsafe.Pointer(s) // the same stack, for push
	}
	if s.depth == len(s.frames) {
		f := newFrame()
		f.stack = s // for pop, without the slot's type assertion
		s.frames = append(s.frames, f)
	}
	f := s.frames[s.depth]
	s.depth++
	return f
}

// pop ends the evaluation push(r) began with f (inlined; popLone for a
// lone frame).
func pop(r *proxy.RequestInfo, f *frame) {
	if r == nil {
		popLone(f)
		return
	}
	f.stack.depth--
}

func popLone(f *frame) {
	f.reset()
	loneFrames.Put(f)
}

// appendTake is AppendText's: the converters on the first value, its
// text appended.
func (f *frame) appendTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	if run(f.r, f.steps, &f.v) {
		f.dst, f.ok = appendText(f.dst, &f.v)
	}
	return true // the first value decides
}

// textTake is Text's: the converters on the first value, its text kept.
func (f *frame) textTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	if run(f.r, f.steps, &f.v) {
		var s string
		if s, f.ok = f.v.text(); f.ok {
			f.out = strings.Clone(s) // it may alias the request
		}
	}
	return true // the first value decides
}

// firstTake is first's: the converters on the first value, handed to f.f.
func (f *frame) firstTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	if run(f.r, f.steps, &f.v) {
		f.f(f.r, &f.v)
	}
	return true
}

// lastTake is lastOnly's: it keeps the value the fetch yields first
// (fetches that read the last occurrence yield it first).
func (f *frame) lastTake(v value) bool {
	f.last.t, f.last.i, f.last.s, f.last.a = v.t, v.i, v.s, v.a // see take
	f.found = true
	return false
}

// matchTake is an acl's: one fetched value through its converters and
// matcher.
func (f *frame) matchTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	return f.a.matchValue(f.r, &f.v)
}
