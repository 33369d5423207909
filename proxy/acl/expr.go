package acl

import (
	"fmt"
	"strconv"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// Expr is a compiled sample expression outside an ACL (the form %[...]
// and other sample users evaluate): a fetch and its converters.
type Expr struct {
	fetch     fetchFunc
	one       oneFunc // the fetch itself when it has one value at most (single.go)
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
	if err := argTokens(s); err != nil {
		return nil, err
	}
	var fetch fetchFunc
	var one oneFunc
	if f.constant != nil {
		fetch = constant(value{t: haproxy.SampleBool, i: b2i(*f.constant)})
	} else {
		build, buildOne := f.build, f.buildOne
		if last && f.buildLast != nil {
			build, buildOne, last = nil, f.buildLast, false // the last occurrence read at once
		}
		var err error
		if buildOne != nil {
			if one, err = buildOne(s.Fetch.Args); err == nil {
				fetch = yieldOne(one)
			}
		} else {
			fetch, err = build(s.Fetch.Args)
		}
		if err != nil {
			return nil, fmt.Errorf("fetch %s: %v", s.Text, err)
		}
	}
	if headFetches[s.Fetch.Name] { // a tcp stream's head is parsed from its bytes (rawhttp.go)
		fetch, one = prefetched(fetch), prefetchedOne(one)
	}
	if last {
		fetch, one = lastOnly(fetch), nil
	}
	if f.post != nil {
		fetch, one = withPost(fetch, f.post), nil
	}
	steps, out, err := compileConverters(f.out, s.Converters)
	if err != nil {
		return nil, fmt.Errorf("converter %s: %v", convText(s.Converters), err)
	}
	return &Expr{fetch: fetch, one: one, fetchType: f.out, steps: steps, out: out}, nil
}

// Type is the sample type the expression is declared to return.
func (e *Expr) Type() haproxy.SampleType { return e.out }

// Text evaluates the expression on the first value its fetch returns and
// gives the result as a string (cast to str, as a log-format or header
// value reads it); false is "no sample". The string is the caller's.
func (e *Expr) Text(r *proxy.RequestInfo) (string, bool) {
	if e.one != nil {
		return e.textOne(r)
	}
	f := push(r)
	f.r, f.steps, f.out, f.ok = r, e.steps, "", false
	e.fetch(r, f.textYield)
	out, ok := f.out, f.ok
	pop(r, f)
	return out, ok
}

// AppendText is Text appending the text to dst instead of making a
// string: nothing is allocated once dst has room (an integer or an
// address is written as its text, never made a string).
func (e *Expr) AppendText(dst []byte, r *proxy.RequestInfo) ([]byte, bool) {
	if e.one != nil {
		dst, ok, _ := e.appendOne(dst, r)
		return dst, ok
	}
	f := push(r)
	f.r, f.steps, f.dst, f.ok = r, e.steps, dst, false
	e.fetch(r, f.appendYield)
	dst, ok := f.dst, f.ok
	f.dst = nil
	pop(r, f)
	return dst, ok
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
		t := push(r)
		t.found = false
		f(r, t.lastKeep)
		last, found := t.last, t.found
		pop(r, t)
		return found && yield(last)
	}
}

// withPost yields what post makes of each value f yields, skipping the
// values post refuses.
func withPost(f fetchFunc, post func(v *value) bool) fetchFunc {
	return func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return f(r, func(v value) bool { return post(&v) && yield(v) })
	}
}
