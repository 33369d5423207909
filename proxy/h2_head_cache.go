package proxy

import (
	"bytes"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// headCache remembers the last response head a stream's bridge parsed
// and the HTTP/2 fields it made of it. The session writes the head it
// built for the client (after the http-response rules) and the bridge
// parses it back; a server's answers to a run of requests are mostly
// the same bytes (the same file, a date that changes once a second), so
// a head equal to the last one is not parsed again: the parse reads
// nothing past the head's empty line, so the same bytes give the same
// status, framing and fields. About a microsecond per response (parse
// and fields of nginx's eight-field head).
type headCache struct {
	head   []byte // the head's bytes, up to and with its empty line
	status int
	frame  http1.Framing
	fields []h2.Field
}

// maxCachedHead bounds the head kept: a larger one is parsed each time.
const maxCachedHead = 2048

// lookup reports whether buf starts with the cached head, and if so sets
// r's status, framing and head length as its parse did and returns its
// fields (valid until the next note).
func (hc *headCache) lookup(buf []byte, r *http1.Response) ([]h2.Field, bool) {
	if len(hc.head) == 0 || !bytes.HasPrefix(buf, hc.head) {
		return nil, false
	}
	r.Status, r.Framing, r.HeadLen = hc.status, hc.frame, len(hc.head)
	return hc.fields, true
}

// note caches the head r was just parsed from (buf's first r.HeadLen
// bytes) with its fields.
func (hc *headCache) note(buf []byte, r *http1.Response, fields []h2.Field) {
	if r.HeadLen > maxCachedHead {
		hc.forget()
		return
	}
	hc.head = append(hc.head[:0], buf[:r.HeadLen]...)
	hc.status, hc.frame = r.Status, r.Framing
	hc.frame.Upgrade = nil // points into buf; the bridge does not read it
	clear(hc.fields)
	hc.fields = append(hc.fields[:0], fields...)
}

func (hc *headCache) forget() {
	hc.head = hc.head[:0]
	clear(hc.fields)
	hc.fields = hc.fields[:0]
}
