package acl

import "github.com/goha-lb/goha/parser/haproxy"

// intTake is Int's: the converters on the first value, cast to an
// integer.
func (f *frame) intTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	if run(f.r, f.steps, &f.v) && f.v.cast(haproxy.SampleSInt) {
		f.n, f.ok = f.v.i, true
	}
	return true // the first value decides
}

// keyTake is StickKey's: the converters on the first value, made a key
// of the table f.cfg describes.
func (f *frame) keyTake(v value) bool {
	f.v.t, f.v.i, f.v.s, f.v.a = v.t, v.i, v.s, v.a // see take
	if run(f.r, f.steps, &f.v) {
		f.key = valueKey(f.v, f.cfg)
	}
	return true // the first value decides
}
