package acl

import (
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Expr is a compiled sample expression outside an ACL (the form %[...]
// and other sample users evaluate): a fetch and its converters.
type Expr struct {
	fetch     fetchFunc
	fetchType haproxy.SampleType
	steps     []step
	out       haproxy.SampleType
}

// CompileExpr compiles a sample expression; an unknown fetch or converter,
// a bad argument or an impossible chain of types is an error with
// HAProxy's words.
func CompileExpr(s haproxy.Sample) (*Expr, error) {
	f, ok := fetches[s.Fetch.Name]
	if !ok {
		f, ok = authFetch(s.Fetch.Name, buildUserlists.uls)
	}
	if !ok {
		return nil, fmt.Errorf("unknown fetch method '%s'", s.Fetch.Name)
	}
	return compileParts(f, s, f.lastInSample && len(s.Fetch.Args) < 2)
}

// compileParts builds the fetch of row f with s's arguments and compiles
// s's converters after it; last keeps only the last occurrence, before
// the row's post step reads it (hdr_ip on a last value that is not an
// address has no sample, as in HAProxy).
func compileParts(f fetchDef, s haproxy.Sample, last bool) (*Expr, error) {
	var fetch fetchFunc
	if f.constant != nil {
		fetch = constant(value{t: haproxy.SampleBool, i: b2i(*f.constant)})
	} else {
		var err error
		if fetch, err = f.build(s.Fetch.Args); err != nil {
			return nil, fmt.Errorf("fetch %s: %v", s.Text, err)
		}
	}
	if last {
		fetch = lastOnly(fetch)
	}
	if f.post != nil {
		fetch = withPost(fetch, f.post)
	}
	steps, out, err := compileConverters(f.out, s.Converters)
	if err != nil {
		return nil, fmt.Errorf("converter %s: %v", convText(s.Converters), err)
	}
	return &Expr{fetch: fetch, fetchType: f.out, steps: steps, out: out}, nil
}

// Type is the sample type the expression is declared to return.
func (e *Expr) Type() haproxy.SampleType { return e.out }

// Text evaluates the expression on the first value its fetch returns and
// gives the result as a string (cast to str, as a log-format or header
// value reads it); false is "no sample". The string is the caller's.
func (e *Expr) Text(r *proxy.RequestInfo) (string, bool) {
	t := textSinks.Get().(*textSink)
	t.r, t.steps = r, e.steps
	e.fetch(r, t.yield)
	out, ok := t.out, t.ok
	*t = textSink{yield: t.yield}
	textSinks.Put(t)
	return out, ok
}

// textSink is Text's state while the fetch yields: pooled, with its yield
// bound once, because a closure over Text's locals (and the value its
// converters take by address) would be four allocations per evaluation.
type textSink struct {
	r     *proxy.RequestInfo
	steps []step
	v     value
	out   string
	ok    bool
	yield func(value) bool
}

var textSinks = sync.Pool{New: func() any {
	t := &textSink{}
	t.yield = t.take
	return t
}}

// take runs the converters on the first value and keeps its text.
func (t *textSink) take(v value) bool {
	t.v = v
	if run(t.r, t.steps, &t.v) {
		var s string
		if s, t.ok = t.v.text(); t.ok {
			t.out = strings.Clone(s) // it may alias the request
		}
	}
	return true // the first value decides
}

// AppendText is Text appending the text to dst instead of making a
// string: nothing is allocated once dst has room (an integer or an
// address is written as its text, never made a string).
func (e *Expr) AppendText(dst []byte, r *proxy.RequestInfo) ([]byte, bool) {
	t := appendSinks.Get().(*appendSink)
	t.r, t.steps, t.dst = r, e.steps, dst
	e.fetch(r, t.yield)
	dst, ok := t.dst, t.ok
	*t = appendSink{yield: t.yield}
	appendSinks.Put(t)
	return dst, ok
}

// appendSink is AppendText's state while the fetch yields, pooled as
// textSink.
type appendSink struct {
	r     *proxy.RequestInfo
	steps []step
	v     value
	dst   []byte
	ok    bool
	yield func(value) bool
}

var appendSinks = sync.Pool{New: func() any {
	t := &appendSink{}
	t.yield = t.take
	return t
}}

// take runs the converters on the first value and appends its text.
func (t *appendSink) take(v value) bool {
	t.v = v
	if run(t.r, t.steps, &t.v) {
		t.dst, t.ok = appendText(t.dst, &t.v)
	}
	return true // the first value decides
}

// appendText appends v cast to str (what text gives) to dst.
func appendText(dst []byte, v *value) ([]byte, bool) {
	switch v.t {
	case haproxy.SampleBool, haproxy.SampleSInt: // intToStr
		return strconv.AppendInt(dst, v.i, 10), true
	case haproxy.SampleIPv4, haproxy.SampleIPv6: // addrToStr
		return v.a.AppendTo(dst), true
	}
	s, ok := v.text()
	if !ok {
		return dst, false
	}
	return append(dst, s...), true
}

// lastOnly yields only the last value f yields ("no sample" when none).
func lastOnly(f fetchFunc) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		t := lastSinks.Get().(*lastSink)
		f(r, t.keep)
		last, found := t.last, t.found
		*t = lastSink{keep: t.keep}
		lastSinks.Put(t)
		return found && yield(last)
	}
}

// lastSink is lastOnly's state, pooled with its callback bound once (a
// closure over lastOnly's locals would be three allocations per call).
type lastSink struct {
	last  value
	found bool
	keep  func(value) bool
}

var lastSinks = sync.Pool{New: func() any {
	t := &lastSink{}
	t.keep = t.take
	return t
}}

// take keeps the value the fetch yields first: fetches that read the last
// occurrence yield it first.
func (t *lastSink) take(v value) bool {
	t.last, t.found = v, true
	return false
}

// withPost yields what post makes of each value f yields, skipping the
// values post refuses.
func withPost(f fetchFunc, post func(v *value) bool) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return f(r, func(v value) bool { return post(&v) && yield(v) })
	}
}
