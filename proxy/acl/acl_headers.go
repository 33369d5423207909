package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// An ACL over a request header's every value (hdr, req.hdr, fhdr,
// req.fhdr with no occurrence: hdr(host) -i ..., hdr_sub(user-agent)
// ...) tries them in a loop of its own: the values forEachValue gives,
// in its order, each through the converters and the matcher
// (matchValue), without the fetch's callbacks (headerFetchOf's yield,
// the frame's matchTake). The outcome is the yielding evaluation's.

// eachHeader is what such an ACL reads: the header's name as
// headerFetch takes it and whether its values are split at commas.
type eachHeader struct {
	name  string
	split bool
}

// eachHeaderOf is the eachHeader of an ACL's sample s with no post step,
// or nil when its fetch is not one of those.
func eachHeaderOf(s haproxy.Sample) *eachHeader {
	if len(s.Fetch.Args) > 1 {
		return nil // an occurrence
	}
	switch s.Fetch.Name {
	case "hdr", "req.hdr":
		return &eachHeader{name: headerName(s.Fetch.Args), split: splitValues}
	case "fhdr", "req.fhdr":
		return &eachHeader{name: headerName(s.Fetch.Args), split: fullLines}
	}
	return nil
}

// matchHeaders is acl.Match over a.hdr's values.
func (a *acl) matchHeaders(r *proxy.RequestInfo) bool {
	if !r.PrefetchHTTP() { // a tcp stream's head (rawhttp.go)
		return false
	}
	t := push(r)
	name := a.hdr.name
	m, found := false, false
	for _, h := range r.Headers() {
		if name == "" || http1.EqualFold(h.Name, name) {
			found = true
			if m = a.matchEach(r, &t.v, bstr(h.Value)); m {
				break
			}
		}
	}
	if !m && !found && name == "host" && r.Authority() != nil {
		m = a.matchEach(r, &t.v, bstr(hostFor(r))) // as forEachValue
	}
	pop(r, t)
	return m
}

// matchEach is matchValue on the field value s, or on each of its
// comma-separated values trimmed, a comma inside a quoted string
// separating nothing (nextListElem, as splitEach), until one
// matches; v is where each is evaluated.
func (a *acl) matchEach(r *proxy.RequestInfo, v *value, s string) bool {
	if !a.hdr.split {
		v.set(haproxy.SampleStr, 0, s)
		return a.matchValue(r, v)
	}
	for {
		e, rest, last := nextListElem(s)
		v.set(haproxy.SampleStr, 0, e)
		if ok := a.matchValue(r, v); ok || last {
			return ok
		}
		s = rest
	}
}
