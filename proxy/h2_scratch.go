package proxy

import (
	"strings"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
)

// streamScratch is the growable memory of an HTTP/2 stream's session and
// bridge, kept from one stream to the next as an HTTP/1 connection keeps
// it from one request to the next: header lists, the head being built,
// the request head the bridge gives the session, the response fields.
// Nothing holds them once the stream's session has finished (its buffer
// goes back to its pool at the same point).
type streamScratch struct {
	reqHeaders, respHeaders, bridgeHeaders []http1.Header
	out, head, rbuf                        []byte
	fields                                 []h2.Field
	// s is the session the scratch is lent to; header and lastHeader,
	// bound once, read its request for the balancers (balance.Request),
	// which call them only while the session balances.
	s                  *session
	header, lastHeader func(string) (string, bool)
	// values are the field values of the last response translated with
	// this scratch, by position (valueString).
	values []string
	// uri is the last stream's request target as the balancers read it
	// (breq.URI): a repeated target costs no new string.
	uri string
	// lastHead is the last response head the bridge translated with
	// this scratch.
	lastHead headCache
	// reqHead parses the stream's request head as the bridge gives it,
	// remembering the last one (a client's heads repeat).
	reqHead http1.RequestCache
}

// parseRequestHead parses the request head buffered so far: a stream's
// through its scratch's cache, any other with Parse.
func (s *session) parseRequestHead() error {
	buf := s.buf[:s.end]
	if b, ok := s.c.h2.(*streamBridge); ok {
		return b.sc.reqHead.Parse(&s.req, buf)
	}
	return s.req.Parse(buf)
}

// valueString is the i-th field value of a response as a string for
// HPACK: the last response's i-th value when it is the same (a server
// sends its fields in the same order, and most values repeat:
// content-type, server, small lengths), a new string otherwise. The
// encoder keeps what it indexes, so the string must be one of its own,
// never the buffer's. (A map lookup cost more than the allocation.)
func (sc *streamScratch) valueString(i int, v []byte) string {
	if i < len(sc.values) && sc.values[i] == string(v) {
		return sc.values[i]
	}
	s := string(v)
	if i < len(sc.values) {
		sc.values[i] = s
	} else if i == len(sc.values) && i < 32 {
		sc.values = append(sc.values, s)
	}
	return s
}

// newStreamScratch makes a scratch (a worker keeps it for its next
// streams: workerMem).
func newStreamScratch() *streamScratch {
	sc := new(streamScratch)
	sc.header = func(name string) (string, bool) { return sc.s.balanceHeader(name) }
	sc.lastHeader = func(name string) (string, bool) { return sc.s.balanceLastHeader(name) }
	return sc
}

// give lends the scratch to a stream's session.
func (sc *streamScratch) give(s *session) {
	s.req.Headers, s.resp.Headers, s.out = sc.reqHeaders[:0], sc.respHeaders[:0], sc.out[:0]
	sc.s = s
	s.breq.Header, s.breq.LastHeader, s.breq.URI = sc.header, sc.lastHeader, sc.uri
}

// keep takes the (possibly grown) memory back from a finished stream (the
// caller keeps the scratch for its next stream).
func (sc *streamScratch) keep(s *session, b *streamBridge) {
	sc.reqHeaders, sc.respHeaders, sc.out = s.req.Headers[:0], s.resp.Headers[:0], s.out[:0]
	sc.bridgeHeaders, sc.head, sc.rbuf = b.resp.Headers[:0], b.head[:0], b.rbuf[:0]
	clear(b.fields[:cap(b.fields)]) // no strings kept alive
	sc.fields = b.fields[:0]
	sc.s, sc.uri = nil, s.breq.URI
}

// lowerName is a response field name in lower case, without allocating
// for the common ones (the hpack encoder keeps what it indexes, so the
// strings must be real).
func lowerName(name []byte) string {
	var low [32]byte
	if len(name) > len(low) {
		return strings.ToLower(string(name))
	}
	for i, c := range name {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		low[i] = c
	}
	switch n := low[:len(name)]; string(n) {
	case "content-type":
		return "content-type"
	case "content-length":
		return "content-length"
	case "date":
		return "date"
	case "server":
		return "server"
	case "last-modified":
		return "last-modified"
	case "etag":
		return "etag"
	case "accept-ranges":
		return "accept-ranges"
	case "cache-control":
		return "cache-control"
	case "location":
		return "location"
	case "set-cookie":
		return "set-cookie"
	case "vary":
		return "vary"
	case "expires":
		return "expires"
	case "content-encoding":
		return "content-encoding"
	case "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade":
		return "" // dropped on the way to an HTTP/2 client
	default:
		return string(n)
	}
}
