package balance

import (
	"strings"
	"sync"

	"github.com/goha-lb/goha/proxy/internal/hashfn"
	"github.com/goha-lb/goha/proxy/internal/uripath"
)

// keyer extracts and hashes the key of a hashing algorithm. ok=false means
// the request has no key (no header, no parameter): the balancer then falls
// back to round robin as HAProxy does.
type keyer interface {
	key(r *Request, o *Options) (h uint32, ok bool)
	// singleShortcut reports whether HAProxy skips hashing (hash 0, no
	// round-robin fallback) when only one server is in use: true for
	// source, uri and hdr, not for url_param.
	singleShortcut() bool
}

func (sourceKey) singleShortcut() bool { return true }
func (uriKey) singleShortcut() bool    { return true }
func (headerKey) singleShortcut() bool { return true }
func (paramKey) singleShortcut() bool  { return false }

// hashed is `source`, `uri`, `url_param` and `hdr`: a key hash looked up in
// the weight map (hash-type map-based) or on the ring (consistent).
type hashed struct {
	mu   sync.Mutex
	opts Options
	k    keyer
	w    *weightMap // map-based
	r    *ring      // consistent
}

func newHashed(servers []*Server, opts Options, k keyer) *hashed {
	b := &hashed{opts: opts, k: k}
	if opts.Consistent {
		b.r = newRing(servers, opts.AllBackups)
		b.r.balanceFactor = opts.HashBalanceFactor
	} else {
		b.w = newWeightMap(servers, opts.AllBackups)
	}
	return b
}

func (b *hashed) Pick(r *Request) *Server {
	b.mu.Lock()
	defer b.mu.Unlock()
	var h uint32
	ok := false
	switch {
	case b.k.singleShortcut() && b.totUsed() == 1:
		// one server in use: HAProxy looks up hash 0 without reading the
		// key, so a missing key does not advance the round-robin walk
		ok = true
	case r != nil:
		h, ok = b.k.key(r, &b.opts)
	}
	if b.r != nil {
		if b.r.c.totWeight == 0 {
			return nil
		}
		if ok {
			return b.r.lookup(h)
		}
		return b.r.nextRR()
	}
	if b.w.c.totWeight == 0 {
		return nil
	}
	if ok {
		return b.w.lookup(h)
	}
	return b.w.nextRR()
}

func (b *hashed) totUsed() int {
	if b.r != nil {
		return b.r.c.totUsed
	}
	return b.w.c.totUsed
}

func (b *hashed) Update() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.r != nil {
		b.r.refresh()
	} else {
		b.w.refresh()
	}
}

// sourceKey is `balance source`: the client address's 32-bit words XORed
// (IPv4: the address itself), never through the hash function, avalanched
// only with `avalanche`.
type sourceKey struct{}

func (sourceKey) key(r *Request, o *Options) (uint32, bool) {
	a := r.Src
	if !a.IsValid() {
		return 0, false
	}
	var h uint32
	if a.Is4() {
		b := a.As4()
		h = uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	} else {
		b := a.As16()
		for i := 0; i < 16; i += 4 {
			h ^= uint32(b[i])<<24 | uint32(b[i+1])<<16 | uint32(b[i+2])<<8 | uint32(b[i+3])
		}
	}
	if o.Avalanche {
		h = hashfn.FullHash(h)
	}
	return h, true
}

// uriKey is `balance uri [len N] [depth N] [whole] [path-only]`: the
// request target up to '?' (all of it with whole), cut to len bytes and to
// depth directories. path-only first takes the target's path (pathOf).
type uriKey struct {
	length, depth   int
	whole, pathOnly bool
}

func (k uriKey) key(r *Request, o *Options) (uint32, bool) {
	if r.URI == "" {
		return 0, false // not HTTP (tcp mode): HAProxy falls back to round robin
	}
	return o.hash(k.cut(r.URI)), true
}

// cut returns the part of uri that is hashed.
func (k uriKey) cut(uri string) string {
	if k.pathOnly {
		uri = pathOf(uri)
	}
	if k.length > 0 && k.length < len(uri) {
		uri = uri[:k.length]
	}
	slashes := 0
	for i := 0; i < len(uri); i++ {
		switch uri[i] {
		case '/':
			slashes++
			if k.depth > 0 && slashes == k.depth+1 {
				return uri[:i]
			}
		case '?':
			if !k.whole {
				return uri[:i]
			}
		}
	}
	return uri
}

// pathOf is the path HAProxy hashes with path-only: the target's path
// (uripath.Path), empty when it has none ("*", a CONNECT's authority, an
// absolute URI without '/' after its authority).
func pathOf(uri string) string {
	p, _ := uripath.Path(uri)
	return p
}

// paramKey is `balance url_param NAME [check_post]`: the value of the
// first NAME=value in the query string (or, with check_post, in a
// form-encoded body already received).
type paramKey struct {
	name      string
	checkPost bool
}

func (k paramKey) key(r *Request, o *Options) (uint32, bool) {
	if _, q, ok := strings.Cut(r.URI, "?"); ok {
		if v, found := findParam(q, k.name); found {
			return o.hash(v), true
		}
	}
	if k.checkPost && len(r.Body) > 0 {
		if v, found := findParam(string(r.Body), k.name); found {
			return o.hash(v), true
		}
	}
	return 0, false
}

// findParam scans "a=1&b=2" for name= and returns the value up to the next
// '&'. Like HAProxy, a parameter needs its '=' and a name must be followed
// by more than nothing (a trailing "name=" at the very end does not match).
func findParam(q, name string) (string, bool) {
	for q != "" {
		if len(q) > len(name) && q[len(name)] == '=' && q[:len(name)] == name {
			v := q[len(name)+1:]
			if i := strings.IndexByte(v, '&'); i >= 0 {
				v = v[:i]
			}
			return v, true
		}
		i := strings.IndexByte(q, '&')
		if i < 0 {
			return "", false
		}
		q = q[i+1:]
	}
	return "", false
}

// headerKey is `balance hdr(name) [use_domain_only]`: the header's first
// value; with use_domain_only only the label before the TLD
// ("example" of "www.example.com").
type headerKey struct {
	name       string
	domainOnly bool
}

func (k headerKey) key(r *Request, o *Options) (uint32, bool) {
	if r.Header == nil {
		return 0, false
	}
	v, ok := r.Header(k.name)
	if !ok {
		return 0, false
	}
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	v = strings.Trim(v, " \t")
	if k.domainOnly {
		v = domainOnly(v)
	}
	return o.hash(v), true
}

// domainOnly keeps the label before the last dot, or the whole value when
// there is no dot.
func domainOnly(v string) string {
	end := strings.LastIndexByte(v, '.')
	if end < 0 {
		return v
	}
	start := strings.LastIndexByte(v[:end], '.') + 1
	return v[start:end]
}
