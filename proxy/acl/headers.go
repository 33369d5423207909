package acl

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
)

// Header fetches read every occurrence the server will read, as HAProxy's
// do when an ACL evaluates them (each value is tried until one matches).
// Each row is checked against HAProxy 2.6 by TestHeaderOccurrenceDifferential
// (proxy/haproxycfg/acl_occ_test.go); goha differs in one place only, marked *:
//
//	fetch             goha reads                                HAProxy 2.6 reads
//	hdr, req.hdr      every comma-separated value of every line same
//	  (and _beg _end _sub _reg _dom _dir _len, -m ...)
//	hdr(n,<occ>)      the occ-th value counting list elements   same
//	                  (1 first, -1 last, 0 none)
//	fhdr, req.fhdr    every full line, commas kept              same
//	req.fhdr(n,<occ>) the occ-th line                           same
//	hdr_cnt           number of comma-separated values          same
//	fhdr_cnt          number of lines                           same
//	cook, req.cook    every cookie of every Cookie line,        same
//	                  ';' and ',' separate (fetch.go)
//	base              first Host (duplicates merged or refused  same
//	                  by the parser) + path
//	hdr(host) *       no Host, absolute URI: its authority      nothing
//	base *            no Host, absolute URI: authority + path   path only
//
// Without a name every header is read. (*) The server takes the host from
// an absolute URI when there is no Host (RFC 9112 §3.2.2): goha lets no
// rule see less than the server does.

// Header value splitting of a fetch.
const (
	splitValues = true  // hdr: every comma-separated value
	fullLines   = false // fhdr: every full line
)

// headerFetch is the builder of the header fetches above: args are the
// header name (none or empty: every header) and an optional occurrence
// (not for the counts).
func headerFetch(split, count bool) func(args []haproxy.Arg) (fetchFunc, error) {
	return headerFetchOf(forEachValue, split, count)
}

// resHeaderFetch is headerFetch over the response's headers (res.hdr,
// res.fhdr, res.hdr_cnt, res.fhdr_cnt).
func resHeaderFetch(split, count bool) func(args []haproxy.Arg) (fetchFunc, error) {
	return headerFetchOf(forEachResValue, split, count)
}

// headerFetchOf is the builder of a header fetch over the values each
// gives.
func headerFetchOf(each func(r *proxy.RequestInfo, name string, split bool, f func(string) bool) bool, split, count bool) func(args []haproxy.Arg) (fetchFunc, error) {
	forEachValue := each
	return func(args []haproxy.Arg) (fetchFunc, error) {
		name := ""
		if len(args) > 0 {
			name = strings.ToLower(strings.TrimSpace(args[0].Str))
		}
		occ, hasOcc := 0, len(args) > 1
		switch {
		case len(args) > 2:
			return nil, fmt.Errorf("occurrence %q", args[1].Str)
		case hasOcc && count:
			return nil, fmt.Errorf("no occurrence argument")
		case hasOcc && args[1].Kind != haproxy.ArgSInt:
			return nil, fmt.Errorf("occurrence %q", args[1].Str)
		case hasOcc:
			occ = int(args[1].Int)
		}
		return func(r *proxy.RequestInfo, yield func(value) bool) bool {
			if count {
				n := 0
				forEachValue(r, name, split, func(string) bool { n++; return false })
				return yield(value{t: haproxy.SampleSInt, i: int64(n)})
			}
			if !hasOcc {
				return forEachValue(r, name, split, func(v string) bool { return yield(strValue(v)) })
			}
			want := occ // 1-based from the first; from the last when negative
			if occ < 0 {
				n := 0
				forEachValue(r, name, split, func(string) bool { n++; return false })
				want = n + occ + 1
			}
			if occ == 0 || want < 1 {
				return false
			}
			i, stop := 0, false
			forEachValue(r, name, split, func(v string) bool {
				if i++; i == want {
					stop = yield(strValue(v))
					return true
				}
				return false
			})
			return stop
		}, nil
	}
}

// lastValue is the last value splitEach gives of v.
func lastValue(v string, split bool) string {
	if !split {
		return v
	}
	for {
		i := http1.ListElemEnd(v)
		if i == len(v) {
			return trimOWS(v)
		}
		v = v[i+1:]
	}
}

// forEachValue calls f with each value of header name ("" = all headers),
// split on commas when split is set, until f returns true; it reports
// whether f did.
func forEachValue(r *proxy.RequestInfo, name string, split bool, f func(string) bool) bool {
	found, stop := eachValueIn(r.Headers(), name, split, f)
	if !stop && !found && name == "host" && r.Authority() != nil {
		return splitEach(bstr(hostFor(r)), split, f)
	}
	return stop
}

// forEachResValue is forEachValue over the response's headers.
func forEachResValue(r *proxy.RequestInfo, name string, split bool, f func(string) bool) bool {
	_, stop := eachValueIn(r.ResponseHeaders(), name, split, f)
	return stop
}

// eachValueIn calls f with the values of header name in hs; found says a
// field had that name, stop that f returned true.
func eachValueIn(hs []http1.Header, name string, split bool, f func(string) bool) (found, stop bool) {
	for _, h := range hs {
		if name == "" || http1.EqualFold(h.Name, name) {
			found = true
			if splitEach(bstr(h.Value), split, f) {
				return true, true
			}
		}
	}
	return found, false
}

// splitEach calls f with v, or each comma-separated value of v trimmed
// when split is set (a comma inside a quoted string separates nothing:
// http1.ListElemEnd), until f returns true.
func splitEach(v string, split bool, f func(string) bool) bool {
	if !split {
		return f(v)
	}
	for {
		e, rest, last := nextListElem(v)
		if ok := f(e); ok || last {
			return ok
		}
		v = rest
	}
}

// nextListElem cuts v's first comma-separated value, trimmed, from the
// rest (a comma inside a quoted string separates nothing:
// http1.ListElemEnd); last: it was the only one left. splitEach and the
// header ACLs' own loop (matchEach) read lists through it.
func nextListElem(v string) (elem, rest string, last bool) {
	i := http1.ListElemEnd(v)
	if i == len(v) {
		return trimOWS(v), "", true
	}
	return trimOWS(v[:i]), v[i+1:], false
}

// trimOWS is strings.Trim(v, " \t") without building its set per call.
func trimOWS(v string) string {
	for v != "" && (v[0] == ' ' || v[0] == '\t') {
		v = v[1:]
	}
	for v != "" && (v[len(v)-1] == ' ' || v[len(v)-1] == '\t') {
		v = v[:len(v)-1]
	}
	return v
}

// hostFor is the host the server reads: the first Host header (the parser
// merged identical ones and refused different ones), else the authority
// of an absolute-form target without its userinfo.
func hostFor(r *proxy.RequestInfo) []byte {
	if h := r.Header("host"); h != nil {
		return h
	}
	a := r.Authority()
	if i := bytes.LastIndexByte(a, '@'); i >= 0 {
		a = a[i+1:]
	}
	return a
}
