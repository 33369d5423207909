package proxy

import "github.com/goha-lb/goha/proxy/http1"

// Rewrites of a block already in HAProxy 2.6's HTX buffer (a field's
// value for replace-header and replace-value, the start line for
// set-method, set-path, set-query, set-uri, replace-path, replace-uri,
// set-status) grow it in place, move it or compact the buffer; they fail
// only when the growth is more than the buffer's free space, where the
// blocks of removed fields count as taken and the holes of their payloads
// as free (htx_prepare_blk_expansion). A failed rewrite is counted and
// answered as a set-header that finds no room (actions_strict.go).

// growFits reports whether a head whose blocks take data bytes in blocks
// blocks (unused ones included) can grow by delta bytes in an HTX buffer
// of room bytes.
func growFits(room, data, blocks, delta int) bool {
	return delta <= 0 || delta <= room-data-blocks*htxBlock
}

// reqGrows says whether the request's head can grow by delta bytes.
func (s *session) reqGrows(delta int) bool {
	if delta <= 0 {
		return true
	}
	hs, unused := s.req.Headers, 0
	if s.info.edited {
		hs, unused = s.edits.list, s.edits.room.unused
	}
	method := s.info.Method
	if len(s.method) > 0 {
		method = s.method // set-method
	}
	body := s.reqBufferedBody()
	data := int(htxHeadSize(method, s.info.Target, s.req.Version, hs)) + body
	blocks := htxHeadBlocks(hs) + unused
	if body > 0 {
		blocks++
	}
	return growFits(s.p.lim.htxRoom, data, blocks, delta)
}

// reqBufferedBody is how much of an HTTP/1 request's content-length body
// HAProxy holds beside the head when the http-request rules run: what
// arrived with the head (or a wait-for-body waited for), up to the
// announced length, and never past the room its receive leaves for
// rewrites (tune.maxrewrite), as bufferedBody for a response; a chunked
// body's data without its framing. An HTTP/2 stream's body is not counted
// yet.
func (s *session) reqBufferedBody() int {
	req := &s.req
	if s.stream != nil || req.CLWithTE || (!req.Chunked && req.ContentLength <= 0) || s.end < req.HeadLen {
		return 0
	}
	var n int
	if req.Chunked {
		// its data without the framing, and the end of the trailers
		// with its block once received
		var d http1.Dechunker
		d.Check(s.buf[req.HeadLen:s.end])
		if n = int(d.HTXSize()); d.Done() {
			n += htxBlock
		}
	} else {
		n = int(min(int64(s.end-req.HeadLen), req.ContentLength))
	}
	head := int(htxHeadSize(req.Method, req.Target, req.Version, req.Headers)) +
		(htxHeadBlocks(req.Headers)+1)*htxBlock
	return max(0, min(n, s.p.lim.headRoom()-head))
}

// respGrows is reqGrows for a response head resp with the fields e.list
// (edited when edited) and body bytes of its body in the buffer.
func respGrows(room int, resp *http1.Response, e *editedHeaders, edited bool, body, delta int) bool {
	if delta <= 0 {
		return true
	}
	hs, unused := resp.Headers, 0
	if edited {
		hs, unused = e.list, e.room.unused
	}
	data := int(htxHeadSize(resp.Version, statusDigits(resp.Status), resp.Reason, hs)) + body
	blocks := htxHeadBlocks(hs) + unused
	if body > 0 {
		blocks++
	}
	return growFits(room, data, blocks, delta)
}

// statusGrowth is how many bytes set-status adds to a head whose reason
// is reason: the code keeps its three digits.
func statusGrowth(r *HeaderRule, reason []byte) int {
	n := len(r.Value)
	if n == 0 {
		n = len(Reason(r.Status))
	}
	return n - len(reason)
}
