package proxy

import "github.com/goha-lb/goha/proxy/http1"

// asapHeadSize is, with option logasap (else 0), the HTX size of the
// response head as it logs it: HAProxy logs from http_process_res_common, after the
// http-response rules and the persistence cookie edited the head and
// before the compression filter (a later analyser) touches it, so the
// head is counted as the rules left it, not as it was received.
func (x *exchange) asapHeadSize() int64 {
	if !x.s.fe.cfg.LogASAP {
		return 0
	}
	resp := &x.s.resp
	n := htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, resp.Headers)
	for _, h := range x.extra {
		n += int64(len(h.Name) + len(h.Value))
	}
	return n
}

// asapBodySize is what of a response body is already in the server
// buffer when the head is parsed: HAProxy's H1 parser has put it in the
// HTX message too, and logasap's %B counts it. A chunked body counts
// what Reframe gave (see forwardResponse); here its framing is unknown
// and it counts nothing.
func asapBodySize(buffered []byte, kind http1.BodyKind, length int64) int64 {
	switch kind {
	case http1.BodyLength:
		return min(int64(len(buffered)), length)
	case http1.BodyUntilClose:
		return int64(len(buffered))
	}
	return 0
}

// logASAPForward logs a response forwarded as is under option logasap:
// head plus the body already buffered (k bytes, or what cs reframed of a
// chunked one).
func (x *exchange) logASAPForward(head int64, kind http1.BodyKind, k int, cs *http1.Dechunker) {
	s := x.s
	if !s.fe.cfg.LogASAP {
		return
	}
	body := int64(k)
	if kind == http1.BodyChunked {
		body = cs.HTXSize()
	}
	s.logASAP(x.be, x.srv, s.resp.Status, head+body, s.tl.respHead)
}
