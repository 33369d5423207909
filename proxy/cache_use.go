package proxy

import (
	"bytes"
	"strconv"
	"time"

	"github.com/goha-lb/goha/proxy/cache"
	"github.com/goha-lb/goha/proxy/http1"
)

// cacheTxn is what the cache knows of a transaction: the key cache-use
// computed, what the request allows, the entry it found, and the entry
// cache-store is filling (proxy/cache holds the store and its rules).
type cacheTxn struct {
	key    [20]byte
	hasKey bool
	req    cache.Request
	// hit is the entry cache-use found (served once the request rules
	// are done) from hitCache; serving: the response is the entry's
	// (res.cache_hit).
	hit      *cache.Entry
	hitCache *cache.Cache
	serving  bool
	// sec is the request's secondary key (process-vary) once built
	// (hasSec), for the signature of the entry looked up or whole.
	sec    cache.SecondaryKey
	hasSec bool
	// store is the entry cache-store began; chunks decodes a chunked
	// body's re-framed chunks for it.
	store *cache.Pending
}

// reset ends a transaction's cache state; an entry still being stored
// (a response cut short) is dropped.
func (c *cacheTxn) reset() {
	if c.store != nil {
		c.store.Abort()
	}
	*c = cacheTxn{}
}

// CacheHit is res.cache_hit: the response comes from a cache.
func (r *RequestInfo) CacheHit() bool { return r.cache.serving }

// CacheName is res.cache_name: the name of the cache the response comes
// from; false when it comes from a server.
func (r *RequestInfo) CacheName() (string, bool) {
	if !r.cache.serving || r.cache.hitCache == nil {
		return "", false
	}
	return r.cache.hitCache.Name(), true
}

// cacheUse is http-request cache-use: HAProxy 2.6 computes the request's
// key (for every method: a successful unsafe one invalidates the entry),
// then, for a GET or HEAD the request lets use the cache, counts a
// lookup and looks the entry up. A hit is served once the request rules
// are done (they go on, as after HAProxy's cache-use).
//
// be is the backend whose rule it is (nil: the frontend's), which counts
// the lookup and then serves the hit (answerCacheOf).
func (s *session) cacheUse(r *HeaderRule, be *backend) {
	ct := &s.info.cache
	hs := s.info.Headers()
	method := s.req.Method
	if len(s.method) > 0 {
		method = s.method
	}
	ct.req = cache.RequestPolicy(s.req.Minor == 1, method, hs)
	host, hasHost := []byte(nil), false
	for _, h := range hs {
		if http1.EqualFold(h.Name, "host") {
			host, hasHost = h.Value, true
			break
		}
	}
	ct.key, ct.hasKey = cache.Key(s.info.Target, host, hasHost)
	if !ct.hasKey || ct.req.Ignore {
		return
	}
	if be != nil {
		be.stats.cacheLookups.Add(1)
	} else {
		s.fe.stats.cacheLookups.Add(1)
	}
	e, primary := r.Cache.Lookup(ct.key, func(sig uint) (cache.SecondaryKey, bool) {
		ct.sec, ct.hasSec = cache.RequestSecondaryKey(hs, sig)
		return ct.sec, ct.hasSec
	})
	if e != nil {
		ct.hit, ct.hitCache = e, r.Cache
	} else if !primary && r.Cache.Vary() {
		// The response will say which parts count (cache_store.go).
		ct.sec, ct.hasSec = cache.RequestSecondaryKey(hs, cache.VaryAcceptEncoding|cache.VaryReferer)
	}
}

// cacheApplet names the cache in log lines, as HAProxy's applet.
type cacheApplet struct{}

func (cacheApplet) LogName() string                    { return "<CACHE>" }
func (cacheApplet) Serve(*ServiceRequest) ServiceReply { return ServiceReply{} }

// answerCache serves the entry cache-use found, as HAProxy's cache
// applet, once the frontend's request rules are done and before any
// backend is chosen (the log names the frontend as backend): the stored
// head with an Age header, then the frontend's http-response rules'
// headers (res.cache_hit true; a deny makes it a 502), the body unless
// the request is a HEAD, compressed when the proxy compresses
// (cache_comp.go); a conditional request the entry satisfies gets the
// head with the status 304 and no body. It returns whether the
// connection may carry another request.
func (s *session) answerCache() bool { return s.answerCacheOf(nil) }

// answerCacheOf is answerCache for the hit a cache-use rule of be (nil:
// of the frontend) found, served once be's http-request rules are done, as
// HAProxy 2.6 serves it: through be's http-response rules then the
// frontend's, be's http-after-response rules first, counted (hits,
// statuses) in be, logged "fe be/<CACHE>", with no interception counted
// in the frontend (HAProxy counts one only when the frontend itself chose
// the applet).
func (s *session) answerCacheOf(be *backend) bool {
	fe, req, ct := s.fe, &s.req, &s.info.cache
	e := ct.hit
	ct.serving = true
	if be != nil {
		be.stats.cacheHits.Add(1)
		s.after.be, s.appletBe = be, be
	} else {
		fe.stats.cacheHits.Add(1)
		fe.stats.intercepted.Add(1) // HAProxy counts the applet's answer so
	}
	next, whole := req.HeadLen, !req.Chunked && !req.CLWithTE
	if whole && req.ContentLength > 0 {
		s.readBodyInBuffer()
		have := int64(s.end - req.HeadLen)
		whole = have >= req.ContentLength
		next += int(min(req.ContentLength, have))
	}
	notModified := cache.NotModified(e, s.info.Headers())
	comp := s.hitComp(e, notModified, be) // cache_comp.go
	status := 200
	if notModified {
		status = 304
	}
	rules := fe.cfg.ResponseRules
	if be != nil && len(be.cfg.ResponseRules) > 0 {
		rules = append(be.cfg.ResponseRules[:len(be.cfg.ResponseRules):len(be.cfg.ResponseRules)], rules...)
	}
	closeConn := !whole || req.WantsClose() || s.p.closeOnStop()
	age := e.Age(time.Now())
	s.info.resp = hitResponse(e, notModified, age) // what the response rules' fetches read
	defer func() { s.info.resp = nil }()
	if s.hitDenied(rules) {
		hit := s.info.resp
		size := htxHeadSize(hit.Version, statusDigits(hit.Status), hit.Reason, hit.Headers)
		if !notModified && string(req.Method) != "HEAD" {
			size += int64(len(e.Body))
		}
		return s.denyHit(size, be)
	}
	out := s.out[:0]
	start := len(out)
	line, rest, _ := bytes.Cut(e.Head, []byte("\r\n"))
	if notModified {
		line = []byte("HTTP/1.1 304 Not Modified")
	}
	out = append(append(out, line...), "\r\n"...)
	// Logged and counted as HAProxy's applet makes it, before the
	// http-response rules: its HTX size (htx_count.go).
	counted := int64(htxStartLine+len(line)-2+htxEndOfHead) + e.HeaderBytes
	etagSeen := false
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, _, _ := bytes.Cut(l, []byte(":"))
		if ruleTouches(rules, &s.info, name) {
			continue
		}
		if comp.algo != "" {
			if l = hitCompHeader(l, &etagSeen); l == nil {
				continue
			}
		}
		out = append(append(out, l...), "\r\n"...)
	}
	n := len(out)
	out = strconv.AppendInt(append(out, "age: "...), age, 10)
	counted += int64(len("age") + len(out) - n - len("age: "))
	out = append(out, "\r\n"...)
	out = appendServiceRuleHeaders(out, rules, &s.info) // service_rules.go
	if comp.algo != "" {
		out = s.appendHitCompressed(out, comp, e)
	}
	var failed []byte
	if out, failed = s.afterServiceHead(out, start); failed != nil {
		out = s.appendClosingPage(out[:start], failed, nil)
		closeConn = true
	} else {
		http10 := !notModified && !hitHTTP11(e) // its response's version (cache_comp.go)
		switch {
		case closeConn && http10:
			// an HTTP/1.0 response closes by default: nothing to say
		case closeConn:
			out = append(out, "connection: close\r\n"...)
		case req.Minor == 0 || http10:
			out = append(out, "connection: keep-alive\r\n"...)
		}
		out = append(out, "\r\n"...)
		if !notModified && string(req.Method) != "HEAD" {
			counted += int64(len(e.Body))
			if comp.algo != "" {
				out = s.hitCompressedBody(out, comp, e)
			} else if e.Chunked {
				counted += htxEndOfTrl
				out = appendChunked(out, e.Body, s.p.lim.headLimit)
			} else {
				out = append(out, e.Body...)
			}
		}
		s.uncounted += int64(len(out)) - counted
	}
	s.out = out
	status = s.afterStatus(status)
	fe.stats.countStatus(status)
	if be != nil {
		be.stats.countStatus(status)
	}
	now := time.Now()
	s.tl.picked, s.tl.connected, s.tl.respHead = now, now, now
	if failed != nil {
		s.clientWriteMessage(out)
	} else {
		s.clientWrite(out)
	}
	s.applet = cacheApplet{}
	s.emitLog(nil, nil, status, s.afterTerm(term('L', 'R')))
	s.applet, s.appletBe = nil, nil
	if !closeConn {
		s.start = next
		return true
	}
	s.drainAndShut()
	return false
}
