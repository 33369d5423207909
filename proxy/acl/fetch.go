package acl

import (
	"fmt"
	"strings"
	"unsafe"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/http1"
	"github.com/goha-lb/goha/proxy/internal/uripath"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// fetchFunc reads a sample's values from a request and gives each to
// yield, in order, until yield returns true; it reports whether yield did.
// A request without a value gives none (the "no sample" outcome). Values
// are typed as the row declares (or ipv6 for an ipv4 row's IPv6 address),
// and a string may alias the request's bytes (see bstr): it is valid
// during the call only, so nothing downstream keeps it.
type fetchFunc func(r *proxy.RequestInfo, yield func(value) bool) bool

// fetchDef is one row of the fetch table.
type fetchDef struct {
	out haproxy.SampleType // the sample type it returns
	// layer4 is set for fetches with a value as soon as a connection is
	// accepted (usable by tcp-request connection rules).
	layer4 bool
	// payloadOnly: a value only during tcp content inspection (req.len);
	// refused elsewhere (Set.WithPayload).
	payloadOnly bool
	// resPayload: a value only in tcp-response content rules, from the
	// response bytes (res.payload); refused elsewhere (Set.WithResPayload).
	resPayload bool
	// tcpOnly: its value on an HTTP stream is not modelled (res.len:
	// HAProxy's HTX size); TCPOnly names it.
	tcpOnly bool
	// constant is the value of a fetch that does not depend on the
	// request; build is not called for it.
	constant *bool
	build    func(args []haproxy.Arg) (fetchFunc, error)
	// use is what the fetch reads that some places lack (place.go).
	use use
	// lastInSample: outside an ACL (a %[...] value, any sample user) the
	// fetch returns only the last occurrence when no occurrence argument
	// is given, as HAProxy's header and cookie fetches do when they are
	// not iterated.
	lastInSample bool
	// post, when set, turns each value build's fetch yields into the
	// row's type (hdr_ip, hdr_val: fetch_hdrs.go); a value it refuses is
	// skipped.
	post func(v *value) bool
	// buildLast, when set, builds the fetch of the last occurrence only
	// (lastInSample without an occurrence argument) that build's fetch
	// and lastOnly give, reading it without going through the others.
	buildLast func(args []haproxy.Arg) (oneFunc, error)
	// buildOne, instead of build, builds a fetch of one value at most
	// (single.go): its fetchFunc is made from it.
	buildOne func(args []haproxy.Arg) (oneFunc, error)
}

var (
	vTrue, vFalse = true, false
)

// fetches are the sample fetches the engine evaluates, by name. An ACL
// keyword with a match suffix (path_beg) reaches the row of its base
// fetch (path): the parser splits the two.
var fetches = map[string]fetchDef{
	"always_true":  {out: haproxy.SampleBool, layer4: true, constant: &vTrue},
	"always_false": {out: haproxy.SampleBool, layer4: true, constant: &vFalse},
	// True on a connection whose TLS this proxy terminated (bind ... ssl).
	"ssl_fc": {out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v := value{t: haproxy.SampleBool}
		if r.TLS != nil {
			v.i = 1
		}
		return yield(v)
	})},
	// The TLS client connection's SNI and protocol (OpenSSL's names).
	"ssl_fc_sni": {out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && r.TLS.ServerName != "" && yield(strValue(r.TLS.ServerName))
	})},
	"ssl_fc_protocol": {out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && yield(strValue(tlsconf.VersionName(r.TLS.Version)))
	})},
	"path":   {out: haproxy.SampleStr, buildOne: noArgsOne(onePath)},
	"url":    {out: haproxy.SampleStr, buildOne: noArgsOne(oneURL)},
	"query":  {out: haproxy.SampleStr, buildOne: noArgsOne(oneQuery)},
	"method": {out: haproxy.SampleMeth, buildOne: noArgsOne(oneMethod)},
	"base":   {out: haproxy.SampleStr, build: noArgs(fetchBase)},
	"src":    {out: haproxy.SampleIPv4, layer4: true, buildOne: noArgsOne(oneSrc)},

	"hdr":          {out: haproxy.SampleStr, build: headerFetch(splitValues, false), lastInSample: true, buildLast: lastHeaderFetch(splitValues)},
	"req.hdr":      {out: haproxy.SampleStr, build: headerFetch(splitValues, false), lastInSample: true, buildLast: lastHeaderFetch(splitValues)},
	"req.fhdr":     {out: haproxy.SampleStr, build: headerFetch(fullLines, false), lastInSample: true, buildLast: lastHeaderFetch(fullLines)},
	"hdr_cnt":      {out: haproxy.SampleSInt, buildOne: headerCount(splitValues)},
	"req.hdr_cnt":  {out: haproxy.SampleSInt, buildOne: headerCount(splitValues)},
	"req.fhdr_cnt": {out: haproxy.SampleSInt, buildOne: headerCount(fullLines)},

	"url_param": {out: haproxy.SampleStr, build: urlParamFetch},
	"urlp":      {out: haproxy.SampleStr, build: urlParamFetch},
	"cook":      {out: haproxy.SampleStr, build: cookieFetch, lastInSample: true},
	"req.cook":  {out: haproxy.SampleStr, build: cookieFetch, lastInSample: true},
}

// noArgs is the builder of a fetch without arguments. Like HAProxy's
// fetches without argument, "path()" is accepted.
func noArgs(f fetchFunc) func([]haproxy.Arg) (fetchFunc, error) {
	return func([]haproxy.Arg) (fetchFunc, error) { return f, nil }
}

// oneName is the builder of a fetch taking one non-empty name.
func oneName(f func(r *proxy.RequestInfo, name string, yield func(value) bool) bool) func([]haproxy.Arg) (fetchFunc, error) {
	return func(args []haproxy.Arg) (fetchFunc, error) {
		if len(args) != 1 || args[0].Str == "" {
			return nil, fmt.Errorf("expects one name")
		}
		name := args[0].Str
		return func(r *proxy.RequestInfo, yield func(value) bool) bool { return f(r, name, yield) }, nil
	}
}

// bstr is b as a string without a copy. The request's bytes do not change
// while its rules run, and no string a fetch yields outlives the
// evaluation (Expr.Text copies its result).
func bstr(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }

func strValue(s string) value { return value{t: haproxy.SampleStr, s: s} }

// fetchBase is HAProxy's base: the Host then the path (none for a target
// without one: base is the Host alone).
func fetchBase(r *proxy.RequestInfo, yield func(value) bool) bool {
	if r.Target == nil {
		return false
	}
	p, _ := pathOf(bstr(r.Target))
	return yield(strValue(string(hostFor(r)) + p))
}

// pathOf is HAProxy's path: parsePath's path without the query string.
func pathOf(t string) (string, bool) {
	p, ok := parsePath(t)
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return p, ok
}

// parsePath is HAProxy 2.6's path of a request target (uripath.Path,
// measured in TestSuffixACLDifferential and TestTargetFormsDifferential).
func parsePath(t string) (string, bool) { return uripath.Path(t) }

// cookie yields the values of the cookie name in every Cookie header
// (HAProxy's cook() reads them all, and takes ',' as a separator as well
// as ';': cookie_extract.go).
func cookie(r *proxy.RequestInfo, name string, yield func(value) bool) bool {
	return forEachCookie(r, name, func(v string) bool { return yield(strValue(v)) })
}

// forEachCookie calls f with the value of each cookie called name (any
// name when name is "") of the Cookie headers until f returns true; it
// tells whether f did.
func forEachCookie(r *proxy.RequestInfo, name string, f func(v string) bool) bool {
	for _, h := range r.Headers() {
		if http1.EqualFold(h.Name, "cookie") && eachCookieElem(bstr(h.Value), name, f) {
			return true
		}
	}
	return false
}
