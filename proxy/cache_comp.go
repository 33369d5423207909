package proxy

import (
	"bytes"
	"strconv"
	"time"

	"github.com/goha-lb/goha/proxy/cache"
	"github.com/goha-lb/goha/proxy/http1"
)

// hitComp decides whether compression compresses a cache hit, as HAProxy
// runs its compression filter on the cache applet's response: the
// frontend's for its own hit (the frontend is the stream's backend then),
// the frontend's and the backend's settings (planCompression) for a hit
// of be's cache-use (measured: TestCacheInBackendCompressionMatchesHAProxy).
// The choice, with algo "" for none.
func (s *session) hitComp(e *cache.Entry, notModified bool, be *backend) exchangeComp {
	beComp := s.fe.cfg.Compression
	if be != nil {
		beComp = be.cfg.Compression
	}
	c := s.chooseComp(planCompression(s.fe.cfg.Compression, beComp))
	if c.algo == "" {
		return c
	}
	var hs []http1.Header
	_, rest, _ := bytes.Cut(e.Head, []byte("\r\n"))
	framed := e.Chunked
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, _ := bytes.Cut(l, []byte(":"))
		hs = append(hs, http1.Header{Name: name, Value: bytes.TrimLeft(value, " ")})
		if http1.EqualFold(name, "content-length") && len(e.Body) > 0 {
			framed = true
		}
	}
	status := 200
	if notModified {
		status = 304
	}
	http11 := s.req.Minor == 1 && (notModified || hitHTTP11(e))
	if !respCompressible(&c.plan, http11, string(s.req.Method) == "HEAD", status, framed, hs) || s.p.comp.over() {
		c.algo = ""
	}
	s.info.compAlgo = c.algo
	return c
}

// hitHTTP11 says whether a stored response is HTTP/1.1: one an HTTP/1.0
// server sent keeps its version (cache_store.go), which HAProxy's
// compression leaves alone and its H1 mux frames as HTTP/1.0 (measured:
// TestCacheHTTP10ResponseMatchesHAProxy). A 304 the cache makes is
// HTTP/1.1.
func hitHTTP11(e *cache.Entry) bool { return bytes.HasPrefix(e.Head, []byte("HTTP/1.1 ")) }

// hitCompHeader edits a stored header line for a compressed hit
// (compressedHead's): no Content-Length, the first ETag made weak. It
// returns the line to send, or nil.
func hitCompHeader(l []byte, etagSeen *bool) []byte {
	name, value, _ := bytes.Cut(l, []byte(":"))
	switch {
	case http1.EqualFold(name, "content-length"):
		return nil
	case !*etagSeen && http1.EqualFold(name, "etag"):
		*etagSeen = true
		if v := bytes.TrimLeft(value, " "); len(v) > 0 && v[0] == '"' {
			return append(append(append([]byte(nil), name...), ": W/"...), v...)
		}
	}
	return l
}

// appendHitCompressed appends the headers a compressed hit gets after the
// others (compressedHead's, in HAProxy's order).
func (s *session) appendHitCompressed(out []byte, c exchangeComp, e *cache.Entry) []byte {
	if !e.Chunked {
		out = append(out, "transfer-encoding: chunked\r\n"...)
	}
	out = append(out, "vary: Accept-Encoding\r\n"...)
	if c.algo != "identity" {
		out = append(append(append(out, "content-encoding: "...), compAlgoToken[c.algo]...), "\r\n"...)
	}
	return out
}

// hitCompressedBody appends e's body compressed with c.algo, chunked.
func (s *session) hitCompressedBody(out []byte, c exchangeComp, e *cache.Entry) []byte {
	var zb bytes.Buffer
	zw := newCompWriter(c.algo, s.p.cfg.CompMaxLevel, &zb)
	payload := e.Body
	counters := []*Counters{&s.fe.stats}
	if be := s.p.backends[s.fe.cfg.Name]; be != nil {
		counters = append(counters, &be.stats)
	}
	if zw != nil {
		zw.Write(e.Body)
		zw.Close()
		payload = zb.Bytes()
	}
	if zw != nil {
		s.p.comp.count(int64(len(e.Body)), int64(len(payload))) // comp_rate.go
	}
	for _, ct := range counters {
		if zw == nil {
			ct.compByp.Add(int64(len(e.Body)))
		} else {
			ct.compIn.Add(int64(len(e.Body)))
			ct.compOut.Add(int64(len(payload)))
		}
		ct.compRsp.Add(1)
	}
	if len(payload) > 0 {
		out = http1.AppendChunk(out, payload)
	}
	return append(out, "0\r\n\r\n"...)
}

// hitDenied: an http-response deny rule refuses the hit, as it refuses an
// applet's answer (answerService).
func (s *session) hitDenied(rules []HeaderRule) bool {
	for i := range rules {
		if r := &rules[i]; r.Action == Deny && (r.Cond == nil || r.Cond.Match(&s.info)) {
			return true
		}
	}
	return false
}

// denyHit answers a denied hit with the 502 page (without the rules'
// headers: they were running) and closes. HAProxy logs the bytes of the
// applet's answer it dropped too: hitSize.
func (s *session) denyHit(hitSize int64, be *backend) bool {
	s.out = s.appendPageWithRules(s.out[:0], s.errorPage(502, be), nil) // a backend's hit: its errorfile first
	if i := bytes.Index(s.out, []byte("\r\n\r\n")); i >= 0 && string(s.req.Method) == "HEAD" {
		s.out = s.out[:i+4] // no payload to a HEAD, as HAProxy's H1 mux sends its pages
	}
	s.uncounted -= hitSize
	status := s.afterStatus(502)
	s.fe.stats.countStatus(status)
	if be != nil {
		be.stats.countStatus(status)
	}
	now := time.Now()
	s.tl.picked, s.tl.connected = now, now // no response time: -1, as HAProxy logs it
	s.clientWriteMessage(s.out)
	s.applet = cacheApplet{}
	s.emitLog(nil, nil, status, s.afterTerm(term('L', 'R')))
	s.applet, s.appletBe = nil, nil
	s.drainAndShut()
	return false
}

// hitResponse is the hit's head as the http-response rules' fetches see
// it (res.hdr, status, ...): the stored head with its Age header.
func hitResponse(e *cache.Entry, notModified bool, age int64) *http1.Response {
	r := &http1.Response{Status: 200, Minor: 1, Version: []byte("HTTP/1.1"), Reason: []byte("OK")}
	line, rest, _ := bytes.Cut(e.Head, []byte("\r\n"))
	if _, after, ok := bytes.Cut(line, []byte(" 200 ")); ok {
		r.Reason = after
	}
	if notModified {
		r.Status, r.Reason = 304, []byte("Not Modified")
	} else if !hitHTTP11(e) {
		r.Minor, r.Version = 0, line[:len("HTTP/1.0")]
	}
	for len(rest) > 0 {
		var l []byte
		l, rest, _ = bytes.Cut(rest, []byte("\r\n"))
		name, value, _ := bytes.Cut(l, []byte(":"))
		r.Headers = append(r.Headers, http1.Header{Name: name, Value: bytes.TrimLeft(value, " ")})
	}
	r.Headers = append(r.Headers, http1.Header{Name: []byte("age"), Value: strconv.AppendInt(nil, age, 10)})
	return r
}
