package proxy

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/goha-lb/goha/proxy/h2"
	"github.com/goha-lb/goha/proxy/http1"
	"golang.org/x/net/http2"
)

// streamBridge carries one HTTP/2 stream under a session as if it were an
// HTTP/1.1 connection: reads give the request as HTTP/1.1 bytes (head
// built from the HEADERS, body from the DATA, chunked when no
// content-length announces it, as HAProxy sends it), and the HTTP/1.1
// response the session writes is parsed back into HEADERS, DATA and
// trailers. So every H2 request runs the one HTTP path: rules, ACLs,
// balancing, logs, servers over HTTP/1.1.
type streamBridge struct {
	st      *h2.Stream
	head    []byte // the request head as HTTP/1.1 (scratch memory)
	pending []byte // request bytes not yet read (head, chunk framing)
	chunked bool   // the body is re-framed as chunks
	eof     bool   // the request is fully read
	tmp     []byte

	headReq bool // the response to a HEAD has no body
	rbuf    []byte
	resp    http1.Response
	fields  []h2.Field // the response's, for HEADERS
	state   bridgeState
	remain  int64        // BodyLength: bytes still to come
	dc      chunkDecoder // BodyChunked
	sc      *streamScratch
	// emptyEnds: the response comes from an HTTP/2 server's HEADERS
	// with END_STREAM; its empty chunked body ends the stream on the
	// HEADERS (h2_upstream_count.go).
	emptyEnds bool
}

type bridgeState uint8

const (
	bsHead bridgeState = iota
	bsLength
	bsChunked
	bsUntilClose
	bsDone
)

// init prepares the bridge of st, with sc's memory.
func (b *streamBridge) init(st *h2.Stream, sc *streamScratch) {
	*b = streamBridge{st: st, headReq: st.Req.Method == "HEAD", rbuf: sc.rbuf[:0], fields: sc.fields[:0], sc: sc}
	b.resp.Headers = sc.bridgeHeaders[:0]
	b.head = appendH1Head(sc.head[:0], &st.Req)
	b.pending = b.head
	r := &st.Req
	b.chunked = !r.NoBody && r.ContentLength < 0 && !r.Tunnel() // a tunnel's DATA go as they are (h2_tunnel.go)
	b.eof = r.NoBody
}

// appendH1Head writes the request line and fields HAProxy sends a server
// for an HTTP/2 request: origin-form target, host from :authority first,
// the fields in order, transfer-encoding: chunked for a body of unknown
// length.
func appendH1Head(out []byte, r *h2.Request) []byte {
	if r.Tunnel() {
		out = appendTunnelLine(out, r) // h2_tunnel.go
	} else {
		out = append(out, r.Method...)
		out = append(out, ' ')
		out = append(out, r.Path...)
		out = append(out, " HTTP/1.1\r\n"...)
	}
	if r.Protocol != "" && len(r.Fields) == 0 {
		// HAProxy writes the host from :authority with the first
		// regular field, else last (after the upgrade's fields).
		out = appendUpgradeFields(out, r)
	}
	if r.Authority != "" {
		out = append(out, "host: "...)
		out = append(out, r.Authority...)
		out = append(out, '\r', '\n')
	}
	for i, f := range r.Fields {
		if r.Protocol != "" && f.Name == "cookie" && i == len(r.Fields)-1 {
			out = appendUpgradeFields(out, r) // before the joined cookie field
		}
		out = append(out, f.Name...)
		out = append(out, ':', ' ')
		out = append(out, f.Value...)
		out = append(out, '\r', '\n')
	}
	if r.Protocol != "" && len(r.Fields) > 0 && r.Fields[len(r.Fields)-1].Name != "cookie" {
		out = appendUpgradeFields(out, r)
	}
	if !r.NoBody && r.ContentLength < 0 && !r.Tunnel() {
		out = append(out, "transfer-encoding: chunked\r\n"...)
	}
	return append(out, '\r', '\n')
}

// logTarget is the target HAProxy logs for an HTTP/2 request: the
// absolute form scheme://authority/path.
func logTarget(r *h2.Request) []byte {
	if t, ok := tunnelTarget(r); ok {
		return t
	}
	if r.Authority == "" {
		return []byte(r.Path)
	}
	if r.Path == "*" {
		return []byte(r.Scheme + "://" + r.Authority) // HAProxy's URI leaves "*" out
	}
	return []byte(r.Scheme + "://" + r.Authority + r.Path)
}

func (b *streamBridge) Read(p []byte) (int, error) {
	for len(b.pending) == 0 {
		if b.eof {
			return 0, io.EOF
		}
		if !b.chunked {
			n, err := b.st.Read(p)
			if err == io.EOF {
				b.eof = true
			}
			return n, err
		}
		if b.tmp == nil {
			b.tmp = make([]byte, 8192)
		}
		n, err := b.st.Read(b.tmp)
		if n > 0 {
			b.pending = http1.AppendChunk(b.pending[:0], b.tmp[:n])
		}
		if err == io.EOF {
			b.eof = true
			b.pending = append(b.pending, "0\r\n"...)
			for _, f := range b.st.Trailers {
				b.pending = append(b.pending, f.Name...)
				b.pending = append(b.pending, ':', ' ')
				b.pending = append(b.pending, f.Value...)
				b.pending = append(b.pending, '\r', '\n')
			}
			b.pending = append(b.pending, '\r', '\n')
		} else if err != nil {
			return 0, err
		}
	}
	n := copy(p, b.pending)
	b.pending = b.pending[n:]
	return n, nil
}

// errBridge is a response the bridge cannot translate.
var errBridge = errors.New("h2: untranslatable response")

// Write takes the HTTP/1.1 response bytes the session sends.
func (b *streamBridge) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		switch b.state {
		case bsHead:
			b.rbuf = append(b.rbuf, p...)
			p = nil
			for b.state == bsHead && len(b.rbuf) > 0 {
				fields, ok := b.sc.lastHead.lookup(b.rbuf, &b.resp)
				if !ok {
					err := b.resp.Parse(b.rbuf)
					if err == http1.ErrIncomplete {
						return n, nil
					}
					if err != nil {
						b.st.Reset(http2.ErrCodeInternal)
						return 0, errBridge
					}
					fields = b.headFields()
					b.sc.lastHead.note(b.rbuf, &b.resp, fields)
				}
				rest := b.rbuf[b.resp.HeadLen:]
				k, err := b.sendHead(fields, rest)
				if err != nil {
					return 0, err
				}
				b.rbuf = b.rbuf[:copy(b.rbuf, rest[k:])]
			}
			if b.state != bsHead && len(b.rbuf) > 0 {
				p, b.rbuf = b.rbuf, nil
			}
		case bsLength:
			k := int64(len(p))
			if k > b.remain {
				k = b.remain
			}
			b.remain -= k
			if err := b.st.WriteData(p[:k], b.remain == 0); err != nil {
				return 0, err
			}
			if b.remain == 0 {
				b.state = bsDone
			}
			p = p[k:]
		case bsChunked:
			k, err := b.dc.feed(p, b.st)
			if err != nil {
				return 0, err
			}
			p = p[k:]
			if b.dc.done {
				b.state = bsDone
			}
		case bsUntilClose:
			if err := b.st.WriteData(p, false); err != nil {
				return 0, err
			}
			p = nil
		case bsDone:
			return n, nil // nothing may follow a response
		}
	}
	return n, nil
}

// dropped are the HTTP/1.1 connection-specific fields a response loses
// on its way to an HTTP/2 client (RFC 9113 §8.2.2).
var dropped = map[string]bool{"connection": true, "keep-alive": true, "proxy-connection": true,
	"transfer-encoding": true, "upgrade": true}

// headFields are the HTTP/2 fields of the response head just parsed:
// names in lower case, connection-specific ones dropped.
func (b *streamBridge) headFields() []h2.Field {
	fields := b.fields[:0]
	for _, h := range b.resp.Headers {
		name := lowerName(h.Name)
		if name == "" {
			continue // connection-specific (dropped)
		}
		// By position among the fields sent: a dropped field does not
		// shift the values that follow it.
		fields = append(fields, h2.Field{Name: name, Value: b.sc.valueString(len(fields), h.Value)})
	}
	b.fields = fields
	return fields
}

// sendHead sends a response head (b.resp's status and framing, fields)
// as HEADERS; a body of known length already all in rest goes with it
// (one write), and how much of rest that took is returned.
func (b *streamBridge) sendHead(fields []h2.Field, rest []byte) (int, error) {
	r := &b.resp
	if ok, err := b.sendTunnelHead(fields); ok || err != nil {
		return 0, err // a CONNECT's tunnel (h2_tunnel.go)
	}
	if r.Status < 200 {
		return 0, b.st.WriteHeaders(r.Status, fields, false)
	}
	kind := r.Body(b.headReq)
	end := kind == http1.BodyNone || (kind == http1.BodyLength && r.ContentLength == 0)
	if kind == http1.BodyChunked && b.emptyEnds && bytes.HasPrefix(rest, lastChunk) {
		b.state = bsDone
		return len(lastChunk), b.st.WriteHeaders(r.Status, fields, true)
	}
	if kind == http1.BodyLength && !end && int64(len(rest)) >= r.ContentLength {
		b.state = bsDone
		return int(r.ContentLength), b.st.WriteResponse(r.Status, fields, rest[:r.ContentLength])
	}
	if err := b.st.WriteHeaders(r.Status, fields, end); err != nil {
		return 0, err
	}
	switch {
	case end:
		b.state = bsDone
	case kind == http1.BodyLength:
		b.state, b.remain = bsLength, r.ContentLength
	case kind == http1.BodyChunked:
		b.state = bsChunked
	default:
		b.state = bsUntilClose
	}
	return 0, nil
}

// CloseWrite ends a body delimited by the end of the connection.
func (b *streamBridge) CloseWrite() error {
	if b.state == bsUntilClose {
		b.state = bsDone
		return b.st.WriteData(nil, true)
	}
	return nil
}

// Close ends the stream from the session's side; an unfinished response
// is reset when the handler returns (h2.Stream's finish).
func (b *streamBridge) Close() error { return b.CloseWrite() }

func (b *streamBridge) SetReadDeadline(t time.Time) error  { return b.st.SetReadDeadline(t) }
func (b *streamBridge) SetWriteDeadline(t time.Time) error { return b.st.SetWriteDeadline(t) }

// chunkDecoder turns the chunked body the session re-framed (canonical:
// hex size, CR LF, data, CR LF; trailer fields after the last chunk) into
// DATA frames and a trailer HEADERS.
type chunkDecoder struct {
	line   []byte // size or trailer line being read
	remain int64  // data left in the chunk; -1: its CR LF
	last   bool   // the zero-size chunk was read: trailers follow
	trail  []h2.Field
	done   bool
}

// h2Sink is where a chunk decoder sends a body: a client's stream (the
// response) or a server's (the request).
type h2Sink interface {
	WriteData(p []byte, end bool) error
	WriteTrailers(fields []h2.Field) error
	Reset(code http2.ErrCode)
}

func (d *chunkDecoder) feed(p []byte, st h2Sink) (int, error) {
	i := 0
	for i < len(p) && !d.done {
		switch {
		case d.remain > 0:
			k := min(int64(len(p)-i), d.remain)
			if err := st.WriteData(p[i:i+int(k)], false); err != nil {
				return i, err
			}
			d.remain -= k
			i += int(k)
			if d.remain == 0 {
				d.remain = -2 // the CR LF after the data
			}
		case d.remain < 0:
			d.remain++
			i++
		default:
			j := bytes.IndexByte(p[i:], '\n')
			if j < 0 {
				d.line = append(d.line, p[i:]...)
				return len(p), nil
			}
			d.line = append(d.line, p[i:i+j]...)
			i += j + 1
			line := bytes.TrimRight(d.line, "\r")
			d.line = d.line[:0]
			if err := d.onLine(line, st); err != nil {
				return i, err
			}
		}
	}
	return i, nil
}

func (d *chunkDecoder) onLine(line []byte, st h2Sink) error {
	if !d.last {
		if k := bytes.IndexByte(line, ';'); k >= 0 {
			line = line[:k]
		}
		n, err := strconv.ParseInt(string(bytes.TrimSpace(line)), 16, 64)
		if err != nil || n < 0 {
			st.Reset(http2.ErrCodeInternal)
			return errBridge
		}
		if n == 0 {
			d.last = true
		}
		d.remain = n
		return nil
	}
	if len(line) > 0 {
		k := bytes.IndexByte(line, ':')
		if k <= 0 {
			st.Reset(http2.ErrCodeInternal)
			return errBridge
		}
		name := strings.ToLower(string(line[:k]))
		if !dropped[name] {
			d.trail = append(d.trail, h2.Field{Name: name, Value: string(bytes.TrimSpace(line[k+1:]))})
		}
		return nil
	}
	d.done = true
	if len(d.trail) > 0 {
		return st.WriteTrailers(d.trail)
	}
	return st.WriteData(nil, true)
}
