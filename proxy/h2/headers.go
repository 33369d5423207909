package h2

import (
	"errors"
	"slices"
	"strings"

	"golang.org/x/net/http/httpguts"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// headerBlock is a decoded header block: a HEADERS frame and its
// CONTINUATION frames.
type headerBlock struct {
	StreamID  uint32
	endStream bool
	// Fields are the decoded fields, in a slice the next block reuses.
	Fields []hpack.HeaderField
	// Truncated: the fields went past the header list limit; the ones
	// after it were dropped.
	Truncated bool
}

func (b *headerBlock) StreamEnded() bool { return b.endStream }

// headerDecoder decodes the header blocks of a connection with one HPACK
// decoder and one field slice, reused from block to block (x/net's
// ReadMetaHeaders allocates a frame, a closure and the growing slice for
// every block). It makes the framer's checks (RFC 9113 §8.2 and §8.3,
// as x/net's MetaHeadersFrame makes them): field values free of
// NUL, CR, LF; names lower-case tokens; no pseudo-field after a regular
// one; only the five request and the one response pseudo-fields, each
// once, not both kinds; the header list within maxHeaderList.
type headerDecoder struct {
	dec   *hpack.Decoder
	block headerBlock
	// Per block: the first check that failed, whether a regular field
	// came, and what is left of the list's size (the trailer field,
	// which announces trailers, is counted apart as x/net counts it).
	invalid                       error
	sawRegular                    bool
	headersRemain, trailersRemain uint32
}

func newHeaderDecoder(tableSize uint32) *headerDecoder {
	d := &headerDecoder{}
	d.dec = hpack.NewDecoder(tableSize, d.emit)
	d.dec.SetMaxStringLength(maxHeaderList)
	return d
}

var (
	errFieldValue         = errors.New("h2: invalid header field value")
	errFieldName          = errors.New("h2: invalid header field name")
	errPseudoAfterRegular = errors.New("h2: pseudo-header field after a regular one")
	errPseudo             = errors.New("h2: invalid pseudo-header fields")
)

func (d *headerDecoder) emit(f hpack.HeaderField) {
	if !httpguts.ValidHeaderFieldValue(f.Value) {
		d.invalid = errFieldValue
	}
	if strings.HasPrefix(f.Name, ":") {
		if d.sawRegular {
			d.invalid = errPseudoAfterRegular
		}
	} else {
		d.sawRegular = true
		if !validFieldName(f.Name) {
			d.invalid = errFieldName
		}
	}
	if d.invalid != nil {
		d.dec.SetEmitEnabled(false)
		return
	}
	remain, size := &d.headersRemain, f.Size()
	if f.Name == "trailer" {
		// Each announced trailer counts as a field of its own.
		k := uint32(strings.Count(f.Value, ",") + 1)
		remain, size = &d.trailersRemain, uint32(len(f.Value))-k+1+k*hpack.HeaderField{}.Size()
	}
	if size > *remain {
		d.dec.SetEmitEnabled(false)
		d.block.Truncated = true
		d.headersRemain, d.trailersRemain = 0, 0
		return
	}
	*remain -= size
	d.block.Fields = append(d.block.Fields, f)
}

// validFieldName: a token with no upper-case letter (§8.2.1).
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for _, r := range name {
		if !httpguts.IsTokenRune(r) || 'A' <= r && r <= 'Z' {
			return false
		}
	}
	return true
}

// read decodes the block hf begins, reading its CONTINUATION frames from
// fr. Its errors are those x/net's ReadMetaHeaders gives, with the block
// returned alongside where it returns its frame: a fragment far past
// what the list may still hold, or a CONTINUATION after an invalid field,
// is ConnectionError(PROTOCOL_ERROR); a decoding failure is
// ConnectionError(COMPRESSION_ERROR); an invalid field a StreamError.
func (d *headerDecoder) read(fr *http2.Framer, hf *http2.HeadersFrame) (*headerBlock, error) {
	return d.readBlock(fr, hf.StreamID, hf.StreamEnded(), hf.HeaderBlockFragment(), hf.HeadersEnded())
}

// readBlock is read for a HEADERS frame parsed by the caller
// (readHeaders): its stream, END_STREAM, fragment and END_HEADERS. The
// fragment is decoded before any other frame is read.
func (d *headerDecoder) readBlock(fr *http2.Framer, id uint32, endStream bool, frag []byte, ended bool) (*headerBlock, error) {
	b := &d.block
	*b = headerBlock{StreamID: id, endStream: endStream, Fields: b.Fields[:0]}
	d.invalid, d.sawRegular = nil, false
	d.headersRemain, d.trailersRemain = maxHeaderList, maxHeaderList
	d.dec.SetEmitEnabled(true)
	for {
		if int64(len(frag)) > 2*int64(d.headersRemain+d.trailersRemain) || d.invalid != nil {
			return b, http2.ConnectionError(http2.ErrCodeProtocol)
		}
		if _, err := d.dec.Write(frag); err != nil {
			return b, http2.ConnectionError(http2.ErrCodeCompression)
		}
		if ended {
			break
		}
		f, err := fr.ReadFrame()
		if err != nil {
			return nil, err
		}
		cf := f.(*http2.ContinuationFrame) // the framer checks the order
		frag, ended = cf.HeaderBlockFragment(), cf.HeadersEnded()
	}
	if err := d.dec.Close(); err != nil {
		return b, http2.ConnectionError(http2.ErrCodeCompression)
	}
	if d.invalid != nil {
		return nil, http2.StreamError{StreamID: b.StreamID, Code: http2.ErrCodeProtocol, Cause: d.invalid}
	}
	if !validPseudos(b.Fields) {
		return nil, http2.StreamError{StreamID: b.StreamID, Code: http2.ErrCodeProtocol, Cause: errPseudo}
	}
	return b, nil
}

// validPseudos checks the pseudo-fields (first in the list): known ones,
// each once, of requests or of responses, not both.
func validPseudos(fields []hpack.HeaderField) bool {
	var req, resp bool
	for i, f := range fields {
		if !strings.HasPrefix(f.Name, ":") {
			break
		}
		switch f.Name {
		case ":method", ":path", ":scheme", ":authority", ":protocol":
			req = true
		case ":status":
			resp = true
		default:
			return false
		}
		for _, g := range fields[:i] {
			if g.Name == f.Name {
				return false
			}
		}
	}
	return !(req && resp)
}

// The server side's header blocks: a new stream's request, or an open
// stream's trailers.

func (c *Conn) onHeaders(f *headerBlock) (http2.ErrCode, bool) {
	id := f.StreamID
	c.mu.Lock()
	st := c.streams[id]
	if st != nil {
		c.mu.Unlock()
		return c.onTrailers(st, f)
	}
	if id%2 == 0 {
		c.mu.Unlock()
		return http2.ErrCodeProtocol, true // clients open odd streams only
	}
	if id <= c.seenID {
		c.mu.Unlock()
		if c.awaitedHeaders(id, f.StreamEnded()) { // await_end.go
			return 0, false
		}
		if id > c.lastID {
			return 0, false // a stream ignored after GOAWAY: still ignored
		}
		// A closed stream: §5.1 STREAM_CLOSED as a connection error.
		return http2.ErrCodeStreamClosed, true
	}
	c.seenID = id
	if c.goaway || c.dead != nil {
		c.mu.Unlock()
		return 0, false // after GOAWAY: ignored, the last id stays (§6.8)
	}
	c.lastID = id
	if uint32(len(c.streams)) >= c.opt.Settings.MaxConcurrentStreams {
		c.mu.Unlock()
		c.resetStream(id, http2.ErrCodeRefusedStream)
		return 0, false
	}
	if f.Truncated {
		c.mu.Unlock()
		c.resetStream(id, http2.ErrCodeProtocol)
		return 0, false
	}
	// A finished stream's memory is taken again (its fields' too), in
	// the same hold of the lock: only this goroutine takes from c.free,
	// so no stream it holds across an unlock (onData, onTrailers)
	// changes under it.
	if k := len(c.free); k > 0 {
		st = c.free[k-1]
		c.free[k-1] = nil
		c.free = c.free[:k-1]
	}
	c.mu.Unlock()
	var dst []hpack.HeaderField
	if st != nil {
		dst = st.Req.Fields
		clear(dst)
	}
	req, err := parseRequestInto(dst, f.Fields, f.StreamEnded())
	if err != nil {
		if st != nil {
			c.mu.Lock()
			c.free = append(c.free, st)
			c.mu.Unlock()
		}
		c.resetStream(id, http2.ErrCodeProtocol)
		c.refused()
		return 0, false
	}
	arrived := c.arrival()
	c.mu.Lock()
	if st == nil {
		st = new(Stream)
	}
	st.reset(c, id, req)
	st.arrived = arrived
	c.streams[id] = st
	c.wg.Add(1)
	c.mu.Unlock()
	c.start(st)
	return 0, false
}

// onTrailers takes a second HEADERS on an open stream: trailers, which
// must end the stream.
func (c *Conn) onTrailers(st *Stream, f *headerBlock) (http2.ErrCode, bool) {
	c.mu.Lock()
	done := st.remoteDone
	c.mu.Unlock()
	if done {
		c.resetStream(f.StreamID, http2.ErrCodeStreamClosed)
		return 0, false
	}
	if !f.StreamEnded() || checkTrailers(f.Fields) != nil {
		c.resetStream(f.StreamID, http2.ErrCodeProtocol)
		return 0, false
	}
	c.mu.Lock()
	st.Trailers = slices.Clone(f.Fields) // f's slice is the decoder's
	st.endRemoteLocked()
	c.mu.Unlock()
	return 0, false
}
