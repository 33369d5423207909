package balance

import (
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy/internal/uripath"
)

// `balance hash <expr>` (HAProxy 2.6) for the expressions made of one
// sample fetch without converters: src, path, url, urlp(name) /
// url_param(name) and req.hdr(name) / hdr(name). HAProxy casts the sample
// to binary and hashes those bytes with hash-type's function: an IPv4
// source is its 4 address bytes, an IPv6 one its 16, a string its bytes.
// A request without the sample (no such parameter or header; no HTTP
// request at all in a tcp session, which has an empty URI) falls back to
// round robin, as HAProxy's. proxy/haproxycfg maps the parser's sample
// expression to a HashSample and reports other fetches, and converters, as
// not supported.
//
// path and url are the uri algorithm's keys (path-only, whole), urlp the
// url_param one's; only HAProxy's one-server shortcut differs for urlp.
func sampleKey(h HashSample) (keyer, error) {
	switch h.Fetch {
	case FetchSrc:
		return srcSampleKey{}, nil
	case FetchPath:
		return pathSampleKey{}, nil
	case FetchURL:
		return uriKey{whole: true}, nil
	case FetchURLParam:
		if h.Param == "" {
			return nil, fmt.Errorf("balance hash: urlp needs a parameter name")
		}
		return paramSampleKey{paramKey{name: h.Param}}, nil
	case FetchReqHdr:
		if h.Param == "" {
			return nil, fmt.Errorf("balance hash: req.hdr needs a header name")
		}
		return lastHeaderKey{name: strings.ToLower(h.Param)}, nil
	}
	return nil, fmt.Errorf("balance hash: no sample fetch")
}

// srcSampleKey is the src sample: the address bytes hashed (the source
// algorithm folds them into a number instead).
type srcSampleKey struct{}

func (srcSampleKey) singleShortcut() bool { return true }

func (srcSampleKey) key(r *Request, o *Options) (uint32, bool) {
	if !r.Src.IsValid() {
		return 0, false
	}
	a := r.Src.Unmap()
	if a.Is4() {
		b := a.As4()
		return o.hash(string(b[:])), true
	}
	b := a.As16()
	return o.hash(string(b[:])), true
}

// pathSampleKey is the path sample: the target's path up to '?', as
// `balance uri path-only` hashes it, except that a target without a path
// ("*", a CONNECT's authority, "http://host") has no key and falls back
// to round robin, where path-only hashes an empty string (both measured,
// TestBalanceURITargetsMatchesHAProxy).
type pathSampleKey struct{}

func (pathSampleKey) singleShortcut() bool { return true }

func (pathSampleKey) key(r *Request, o *Options) (uint32, bool) {
	p, ok := uripath.Path(r.URI)
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(p, '?'); i >= 0 {
		p = p[:i]
	}
	return o.hash(p), true
}

// paramSampleKey is the urlp sample: url_param's key, with the one-server
// shortcut HAProxy's hash algorithm takes and url_param does not.
type paramSampleKey struct{ paramKey }

func (paramSampleKey) singleShortcut() bool { return true }

// lastHeaderKey is the req.hdr sample: the last comma-separated value of
// the header's last occurrence (balance hdr() takes the first of the
// first).
type lastHeaderKey struct{ name string } // lower case

func (lastHeaderKey) singleShortcut() bool { return true }

func (k lastHeaderKey) key(r *Request, o *Options) (uint32, bool) {
	if r.LastHeader == nil {
		return 0, false
	}
	v, ok := r.LastHeader(k.name)
	if !ok {
		return 0, false
	}
	if i := strings.LastIndexByte(v, ','); i >= 0 {
		v = v[i+1:]
	}
	return o.hash(strings.Trim(v, " \t")), true
}
