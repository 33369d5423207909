package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// set-priority-class, set-priority-offset and the prio_class and
// prio_offset fetches (HAProxy 2.6 queue.c): the stream's place in a
// backend queue (proxy/actions_priority.go).

func init() {
	// No layer4: HAProxy has no stream (no sample) in tcp-request
	// connection and session rules.
	fetches["prio_class"] = fetchDef{out: haproxy.SampleSInt, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(value{t: haproxy.SampleSInt, i: int64(r.PrioClass)})
	})}
	fetches["prio_offset"] = fetchDef{out: haproxy.SampleSInt, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return yield(value{t: haproxy.SampleSInt, i: int64(r.PrioOffset)})
	})}
}

// CompileSetPriority compiles set-priority-class or set-priority-offset
// <expr>: the sample cast to an integer, clamped to HAProxy's range; no
// sample leaves the value as it was.
func CompileSetPriority(verb string, expr haproxy.Sample) (func(*proxy.RequestInfo), error) {
	e, err := CompileExpr(expr)
	if err != nil {
		return nil, err
	}
	class := verb == "set-priority-class"
	return func(r *proxy.RequestInfo) {
		n, ok := e.Int(r)
		switch {
		case !ok:
		case class:
			r.SetPrioClass(n)
		default:
			r.SetPrioOffset(n)
		}
	}, nil
}
