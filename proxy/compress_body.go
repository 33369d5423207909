package proxy

import (
	"bytes"
	"compress/flate"
	"compress/gzip"
	"compress/zlib"
	"io"

	"github.com/goha-lb/goha/proxy/http1"
)

// The compressed bytes are Go's (compress/flate), HAProxy's are libslz's:
// both are valid streams of the same data, not the same bytes. Each batch
// of body data read from the server is compressed and flushed as one
// chunk, as HAProxy flushes each HTX data block.

// compWriter is one response's compressor writing into buf.
type compWriter interface {
	io.Writer
	Flush() error
	Close() error
}

// newCompWriter starts algo at level (tune.comp.maxlevel; 0 stores).
// identity is nil: the data passes as it is.
func newCompWriter(algo string, level int, buf *bytes.Buffer) compWriter {
	level = min(max(level, flate.NoCompression), flate.BestCompression)
	switch algo {
	case "gzip":
		w, _ := gzip.NewWriterLevel(buf, level)
		return w
	case "deflate":
		w, _ := zlib.NewWriterLevel(buf, level)
		return w
	case "raw-deflate":
		w, _ := flate.NewWriter(buf, level)
		return w
	}
	return nil
}

// compressedHead edits the response head after the http-response rules
// (set_compression_response_header): no Content-Length, the first ETag
// made weak, then Transfer-Encoding: chunked when the server did not
// chunk, Vary: Accept-Encoding and Content-Encoding (not for identity),
// in the order HAProxy 2.6 writes them.
func (x *exchange) compressedHead(chunked bool) {
	resp := &x.s.resp
	kept := resp.Headers[:0]
	etag := false
	for _, h := range resp.Headers {
		if http1.EqualFold(h.Name, "content-length") {
			continue
		}
		if !etag && http1.EqualFold(h.Name, "etag") {
			etag = true
			if len(h.Value) > 0 && h.Value[0] == '"' {
				h.Value = append([]byte("W/"), h.Value...)
			}
		}
		kept = append(kept, h)
	}
	resp.Headers = kept
	if !chunked {
		x.extra = append(x.extra, http1.Header{Name: []byte("transfer-encoding"), Value: []byte("chunked")})
	}
	x.extra = append(x.extra, http1.Header{Name: []byte("vary"), Value: []byte("Accept-Encoding")})
	if x.comp.algo != "identity" {
		x.extra = append(x.extra, http1.Header{Name: []byte("content-encoding"), Value: []byte(compAlgoToken[x.comp.algo])})
	}
}

// splitReframed splits one Reframe output (at most one data chunk, then
// the last chunk and trailers once the body is done) into the chunk's
// data and the final block.
func splitReframed(p []byte) (data, final []byte) {
	if len(p) == 0 || bytes.HasPrefix(p, []byte("0\r\n")) {
		return nil, p
	}
	size, i := 0, 0
	for ; i < len(p) && p[i] != '\r'; i++ {
		size = size<<4 | hexDigit(p[i])
	}
	i += 2
	return p[i : i+size], p[i+size+2:]
}

// forwardCompressed sends head and the body compressed with x.comp.algo,
// chunked, and counts it (comp_in/comp_out, or comp_byp for identity and
// level 0; comp_rsp at its end). rest is what is buffered of the body.
func (x *exchange) forwardCompressed(head []byte, kind http1.BodyKind, contentLength int64) bool {
	s := x.s
	var zb bytes.Buffer
	zw := newCompWriter(x.comp.algo, s.p.cfg.CompMaxLevel, &zb)
	bypass := zw == nil
	cs := x.responseDechunker() // its trailers
	var framedBuf []byte        // s.out holds the head
	remain := contentLength
	out := head
	first := true
	var in int64 // HTX bytes taken in since the last chunk sent
	for {
		rest := x.sbuf[x.sstart:x.send]
		var data, final []byte
		done := false
		consumed := int64(0) // HTX bytes taken in: the data, and the
		// trailers and end-of-trailers byte of a chunked body
		switch kind {
		case http1.BodyLength:
			k := int(min(int64(len(rest)), remain))
			data, remain, consumed = rest[:k], remain-int64(k), int64(k)
			x.sstart += k
			done = remain == 0
		case http1.BodyChunked:
			before := cs.HTXSize()
			framed, k, err := cs.Reframe(framedBuf[:0], rest)
			consumed = cs.HTXSize() - before
			if err != nil {
				if first {
					x.failResponse(errBadResponse)
					return !x.clientClose
				}
				x.term = term('S', 'D')
				return false
			}
			framedBuf = framed
			x.sstart += k
			data, final = splitReframed(framed)
			done = cs.Done()
		}
		in += consumed
		if len(data) > 0 || done {
			// The cache stores the body before its compression, as
			// HAProxy's cache filter runs before the compression's
			// (cache_store.go); not a chunked body's trailers.
			x.storeBody(data, false)
			if done && len(final) > len("0\r\n\r\n") {
				x.s.info.cache.reset()
			}
			n0 := len(out)
			payload := data // what HAProxy's HTX carries: the data as sent
			if zw == nil {
				x.countComp(in, 0, true)
			} else {
				zw.Write(data)
				if done {
					zw.Close()
				} else {
					zw.Flush()
				}
				payload = zb.Bytes()
				x.countComp(in, int64(len(payload)), bypass)
			}
			out = http1.AppendChunk(out, payload)
			if done {
				if len(final) == 0 {
					final = []byte("0\r\n\r\n")
				}
				out = append(out, final...)
			}
			// %B counts the body as it came in, before its compression
			// (HAProxy counts what enters the response channel: 546
			// bytes for a 408-byte text compressed to 34, measured).
			s.uncounted += int64(len(out)-n0) - in
			in = 0
			zb.Reset()
		}
		if len(out) > 0 {
			var err error
			if first {
				err = s.clientWriteAt(out, s.tl.respHead)
			} else {
				err = s.clientWrite(out)
			}
			if err != nil {
				x.term = term('C', 'D')
				return false
			}
			x.addSrvOut(int64(len(out)))
			first = false
			out = out[:0]
		}
		if done {
			break
		}
		x.sstart, x.send = 0, 0
		n, err := x.sc.read(x.sbuf, x.serverTimeout())
		x.send = n
		if err != nil && n == 0 {
			x.term = term('S', 'D')
			if isTimeout(err) {
				x.term = term('s', 'D')
			}
			return false
		}
	}
	s.fe.stats.compRsp.Add(1)
	x.be.stats.compRsp.Add(1)
	x.storeDone()
	return x.finish(kind, x.sstart < x.send)
}

// countComp adds one batch to the frontend's and backend's compression
// counters.
func (x *exchange) countComp(in, out int64, bypass bool) {
	if !bypass {
		x.s.p.comp.count(in, out) // comp_rate.go
	}
	for _, c := range []*Counters{&x.s.fe.stats, &x.be.stats} {
		if bypass {
			c.compByp.Add(in)
		} else {
			c.compIn.Add(in)
			c.compOut.Add(out)
		}
	}
}
