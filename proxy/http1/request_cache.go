package http1

import "bytes"

// RequestCache parses request heads, remembering the last one: a head
// whose bytes equal it is not parsed again. Parse reads nothing past a
// head's empty line and depends on nothing but those bytes and
// its settings (AcceptInvalid, MaxHeaders, AnyMethodPayload, FromH2, Prefetch), so the same
// bytes give the same Request; its slices are
// rebuilt at the same offsets of the new buffer. A head that Parse
// rewrote in place (obs-fold, an absolute target's default port) or whose
// slices do not all point into it is not remembered. The HTTP/2 bridge
// uses one per stream scratch: a client's requests repeat their heads.
type RequestCache struct {
	head  []byte      // the last head's bytes, as received
	ok    bool        // head and req may be used
	in    parseInputs // the settings it was parsed with
	req   Request
	spans []span // req's slices: Method, Target, Version, Authority, Upgrade, then each header's name and value
}

// parseInputs are the Request fields Parse reads besides the bytes.
type parseInputs struct {
	lax, anyPayload, fromH2, prefetch bool
	maxHdr                            int
}

func inputsOf(r *Request) parseInputs {
	return parseInputs{lax: r.AcceptInvalid, anyPayload: r.AnyMethodPayload, fromH2: r.FromH2, prefetch: r.Prefetch, maxHdr: r.MaxHeaders}
}

// span is a slice of a head by offset; n < 0: nil.
type span struct{ off, n int32 }

// maxCachedRequest bounds the head a RequestCache keeps.
const maxCachedRequest = 2048

// Parse is r.Parse(buf), from the cache when buf starts with the last
// head parsed with the same settings (AcceptInvalid, MaxHeaders,
// AnyMethodPayload).
func (c *RequestCache) Parse(r *Request, buf []byte) error {
	if c.ok && c.in == inputsOf(r) && bytes.HasPrefix(buf, c.head) {
		c.rebuild(r, buf)
		return nil
	}
	c.ok = false
	c.head = append(c.head[:0], buf[:min(len(buf), maxCachedRequest)]...)
	err := r.Parse(buf)
	if err == nil && r.HeadLen <= len(c.head) && bytes.Equal(buf[:r.HeadLen], c.head[:r.HeadLen]) {
		c.head = c.head[:r.HeadLen]
		c.ok = c.note(r, buf)
	}
	return err
}

// note records r, parsed from buf, as offsets; false when a slice does
// not point into the head.
func (c *RequestCache) note(r *Request, buf []byte) bool {
	c.spans = c.spans[:0]
	head := buf[:r.HeadLen]
	for _, b := range [...][]byte{r.Method, r.Target, r.Version, r.Authority, r.Upgrade} {
		if !c.add(head, b) {
			return false
		}
	}
	for _, h := range r.Headers {
		if !c.add(head, h.Name) || !c.add(head, h.Value) {
			return false
		}
	}
	c.in = inputsOf(r)
	c.req = *r
	c.req.Method, c.req.Target, c.req.Version, c.req.Authority, c.req.Upgrade = nil, nil, nil, nil, nil
	c.req.Headers = nil
	return true
}

// add appends b's span in head, false when b is not a slice of head (an
// empty one cannot be told: its offset is taken from its capacity, the
// same for a slice of the buffer; nil stays nil).
func (c *RequestCache) add(head, b []byte) bool {
	if b == nil {
		c.spans = append(c.spans, span{0, -1})
		return true
	}
	off := cap(head) - cap(b)
	if off < 0 || off+len(b) > len(head) || (len(b) > 0 && &head[off] != &b[0]) {
		return false
	}
	c.spans = append(c.spans, span{int32(off), int32(len(b))})
	return true
}

// rebuild sets r to the cached request with its slices in buf.
func (c *RequestCache) rebuild(r *Request, buf []byte) {
	hs := r.Headers[:0]
	*r = c.req
	at := func(s span) []byte {
		if s.n < 0 {
			return nil
		}
		return buf[s.off : s.off+s.n] // the capacity Parse's slices have
	}
	sp := c.spans
	r.Method, r.Target, r.Version, r.Authority, r.Upgrade = at(sp[0]), at(sp[1]), at(sp[2]), at(sp[3]), at(sp[4])
	for i := 5; i+1 < len(sp); i += 2 {
		hs = append(hs, Header{Name: at(sp[i]), Value: at(sp[i+1])})
	}
	r.Headers = hs
}
