package proxy

import (
	"bytes"
	"strconv"
	"time"

	"github.com/goha-lb/goha/proxy/cache"
	"github.com/goha-lb/goha/proxy/http1"
)

// cacheEntryBase is what HAProxy 2.6 counts in an entry's size (`show
// cache`) besides the status line's words, the headers (4 bytes each
// beside their name and value) and the body (4 bytes beside it):
// measured on 2.6.12 (its entry structure, start line and end of
// headers).
const cacheEntryBase = 141

// cacheStore is http-response cache-store, HAProxy 2.6's
// http_action_store_cache: a successful unsafe request (POST, PUT, ...)
// drops the entry of its key; a 200 response to an HTTP/1.1 GET whose
// key cache-use computed is stored when no Vary header names it, it is
// cacheable (cache.Storable) and it fits max-object-size. The origin's
// Age header is then removed (the entry keeps its value), from the
// response sent too. The head stored is the one the rules before this
// one left; the body is added as it is relayed (storeBody), the entry
// made servable once the whole body went through (storeDone).
func (x *exchange) cacheStore(r *HeaderRule) {
	s, resp, ct := x.s, &x.s.resp, &x.s.info.cache
	if ct.store != nil || ct.serving || s.req.Minor != 1 {
		return
	}
	method := s.req.Method
	if len(s.method) > 0 {
		method = s.method
	}
	if string(method) != "GET" {
		if ct.hasKey && resp.Status >= 200 && resp.Status < 400 && cache.UnsafeMethod(method) {
			r.Cache.Invalidate(ct.key)
		}
		return
	}
	if s.info.compAlgo != "" && s.fe.cfg.Compression != nil && x.be != nil && ruleIn(r, x.be.cfg.ResponseRules) {
		// The frontend's compression filter comes before the backend's
		// cache filter: HAProxy stores no response the frontend
		// compresses (measured: TestCacheInBackendCompressionMatchesHAProxy);
		// the backend's own compression comes after its cache, which
		// stores what the server sent.
		return
	}
	kind := resp.Body(false)
	if !ct.hasKey || resp.Status != 200 || kind == http1.BodyUntilClose {
		// goha stores no body delimited by the close (HAProxy does).
		return
	}
	size := cacheEntryBase + len("HTTP/1.1") + 3 + len(resp.Reason)
	for _, h := range resp.Headers {
		size += 4 + len(h.Name) + len(h.Value)
	}
	if kind == http1.BodyLength && int64(size)+resp.ContentLength > int64(r.Cache.MaxObjectSize()) {
		return
	}
	var m cache.Meta
	if !r.Cache.Vary() {
		if headerIndex(resp.Headers, "vary") >= 0 {
			return // process-vary off
		}
	} else if sig, ok := cache.VarySignature(resp.Headers); !ok || (sig != 0 && !ct.hasSec) {
		return // a Vary on another header, or no secondary key
	} else if sig != 0 {
		m.Sig, m.ReqKey = sig, ct.sec.Reduce(sig)
	}
	if !cache.Storable(ct.req.NoStore, resp.Headers) {
		return
	}
	now := time.Now()
	maxAge, ok := cache.MaxAge(resp.Headers, r.Cache.MaxAge(), now)
	if i := headerIndex(resp.Headers, "age"); i >= 0 {
		age := resp.Headers[i]
		if v, err := strconv.ParseInt(string(age.Value), 10, 64); err == nil && v > 0 {
			m.OriginAge = min(v, 1<<31)
		}
		hs := make([]http1.Header, 0, len(resp.Headers)-1)
		hs = append(hs, resp.Headers[:i]...)
		resp.Headers = append(hs, resp.Headers[i+1:]...)
		size -= len(age.Name) + len(age.Value) // its emptied block's 4 bytes stay (measured)
	}
	if !ok {
		return // a malformed max-age: HAProxy's entry is born expired
	}
	if m.Sig != 0 {
		// The entry's key holds the response's encodings (whatever the
		// Vary names, as in 2.6); one HAProxy does not know is not stored.
		enc, known := cache.ResponseEncoding(resp.Headers)
		if !known {
			return
		}
		m.Key = m.ReqKey.WithEncoding(enc)
	}
	head := make([]byte, 0, 256)
	// with the server's version, as HAProxy keeps the start line it
	// received: a hit of an HTTP/1.0 response says HTTP/1.0 (cache_comp.go)
	head = appendVersion(head, resp.Minor, resp.Version)
	head = append(head, " 200 "...)
	head = append(head, resp.Reason...)
	head = append(head, "\r\n"...)
	for _, h := range resp.Headers {
		if http1.EqualFold(h.Name, "connection") {
			continue
		}
		head = appendHeader(head, h.Name, h.Value)
		m.HeaderBytes += int64(len(h.Name) + len(h.Value))
		if m.ETag == nil && http1.EqualFold(h.Name, "etag") {
			m.ETag = append([]byte(nil), h.Value...)
		}
	}
	if kind == http1.BodyChunked {
		size += 5 // HAProxy's end-of-trailers block (measured)
	}
	m.MaxAge, m.LastModified, m.Size = maxAge, cache.LastModified(resp.Headers, now), size
	ct.store = r.Cache.Begin(ct.key, head, kind == http1.BodyChunked, m)
}

// headerIndex is the index of the first header named name, or -1.
func headerIndex(hs []http1.Header, name string) int {
	for i, h := range hs {
		if http1.EqualFold(h.Name, name) {
			return i
		}
	}
	return -1
}

// storeBody adds relayed body bytes to the entry being stored: raw
// bytes, or (chunked) the chunks goha re-framed, decoded.
func (x *exchange) storeBody(p []byte, chunked bool) {
	st := x.s.info.cache.store
	if st == nil || len(p) == 0 {
		return
	}
	if !chunked {
		if !st.Write(p) {
			x.s.info.cache.store = nil
		}
		return
	}
	for len(p) > 0 {
		line, rest, ok := bytes.Cut(p, []byte("\r\n"))
		n, err := strconv.ParseUint(string(line), 16, 63)
		if !ok || err != nil || (n == 0 && string(rest) != "\r\n") || (n > 0 && uint64(len(rest)) < n+2) {
			st.Abort() // trailers (HAProxy stores them; goha does not)
			x.s.info.cache.store = nil
			return
		}
		if n == 0 {
			return
		}
		if !st.Write(rest[:n]) {
			x.s.info.cache.store = nil
			return
		}
		p = rest[n+2:]
	}
}

// storeFirst adds what the response's first write carries of the body:
// the buffered bytes, or the chunks after the head.
func (x *exchange) storeFirst(kind http1.BodyKind, body, w []byte, headLen int) {
	if kind == http1.BodyChunked && len(w) > headLen {
		x.storeBody(w[headLen:], true)
	} else if kind == http1.BodyLength {
		x.storeBody(body, false)
	}
}

// storeDone makes the stored entry servable: the body went through whole.
func (x *exchange) storeDone() {
	if st := x.s.info.cache.store; st != nil {
		st.Commit()
		x.s.info.cache.store = nil
	}
}

// ruleIn says whether r is one of rules.
func ruleIn(r *HeaderRule, rules []HeaderRule) bool {
	for i := range rules {
		if &rules[i] == r {
			return true
		}
	}
	return false
}
