package http1

// Dechunker parses a chunked body as it streams through and re-frames it
// the way HAProxy 2.6's HTX does: the data of all the chunks read at once
// leaves as one chunk, sized in upper-case hex, every line ends in CR LF,
// chunk extensions are dropped, and the trailer fields are parsed as
// header fields and re-emitted (names in lower case). Whatever reached the
// server is therefore framed the same way by every parser, whatever the
// client wrote: bare LF line ends (which HAProxy accepts) cannot be read
// differently downstream, and a trailer line that is not a header field is
// a 400 instead of a smuggled request.
//
// Accepted as HAProxy 2.6 accepts them (checked against it with raw
// bytes, testdata/http1): LF or CR LF after the size, the data and each
// trailer line; blanks after the size; any extension after ';'. Refused:
// a CR not followed by LF, a blank before the size, anything but blanks or
// ';' after it, a size past 2^56 (leading zeros are fine), data not followed by a
// line end, a trailer line without a colon or with a name that is not a
// token (HAProxy lets "Bad Name: x" through in a trailer; goha refuses it
// as it does in a head), NUL or CR in a trailer value (HAProxy passes NUL).
//
// The zero value is ready for a new body.
type Dechunker struct {
	state   chunkState
	remain  int64 // data bytes left in the current chunk
	digits  int
	lineN   int      // bytes in the current size line
	tr      []byte   // trailer section being buffered (rare: allocated then)
	trStart int      // start of the current trailer line in tr
	hs      []Header // parsed trailers, reused
	discard bool     // Check: validate only
	// Case maps a lower-case trailer name to the case Reframe writes it
	// in (h1-case-adjust; nil: lower case).
	Case map[string]string
	// data and trailers count what HAProxy's HTX holds of the body (see
	// HTXSize).
	data, trailers int64
	// EOTOnlyWithTrailers: HTXSize counts the end-of-trailers byte only
	// when trailers came (a body HAProxy built from HTTP/2 frames).
	EOTOnlyWithTrailers bool
}

// HTXSize is the size HAProxy 2.6's HTX gives the body read so far (what
// it logs in %B/%U): the chunks' data, and once the body is done each
// trailer's name and value plus one byte of end-of-trailers.
func (d *Dechunker) HTXSize() int64 {
	if d.state == csDone {
		if d.EOTOnlyWithTrailers && d.trailers == 0 {
			return d.data
		}
		return d.data + d.trailers + 1
	}
	return d.data
}

type chunkState uint8

const (
	csSize     chunkState = iota // hex digits of the chunk size
	csSizeTail                   // blanks after the size
	csExt                        // chunk extension up to the line end
	csSizeLF                     // after CR of the size line
	csData                       // chunk data
	csDataCR                     // line end after data
	csDataLF                     // LF after data's CR
	csTrailer                    // start of the trailer section
	csTrailers                   // buffering trailer lines
	csEndLF                      // LF of an empty trailer section
	csDone
)

// maxChunkLine bounds a size line and the trailer section, like a head.
const maxChunkLine = 16384

// Done reports whether the whole body, trailers included, was read.
func (d *Dechunker) Done() bool { return d.state == csDone }

// Check validates p as the next bytes of the body without producing
// output; it returns how many belong to the body.
func (d *Dechunker) Check(p []byte) (int, error) {
	d.discard = true
	_, n, err := d.Reframe(nil, p)
	d.discard = false
	return n, err
}

// Reframe consumes the next bytes of the body from p and appends their
// re-framed form to dst. n < len(p) only when the body ended (the rest is
// the next message) or on error, an *Error.
func (d *Dechunker) Reframe(dst, p []byte) (out []byte, n int, err error) {
	hdrAt := len(dst)
	const sizeRoom = 18 // 16 hex digits + CR LF, reserved before the data
	if !d.discard {
		dst = append(dst, "                  "[:sizeRoom]...)
	}
	dataAt := len(dst)
	for n < len(p) && d.state != csDone {
		c := p[n]
		switch d.state {
		case csSize:
			v := hexVal(c)
			switch {
			case v >= 0:
				if d.remain&0xF0000000000000 != 0 {
					// HAProxy's bound: leading zeros are fine, a size
					// past 2^56 is not.
					return dst[:hdrAt], n, bad("chunk size too large")
				}
				d.remain = d.remain<<4 | int64(v)
				d.digits++
			case d.digits == 0:
				return dst[:hdrAt], n, bad("invalid chunk size")
			case c == ' ' || c == '\t':
				d.state = csSizeTail
			case c == ';':
				d.state = csExt
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				d.endSizeLine()
			default:
				return dst[:hdrAt], n, bad("invalid chunk size")
			}
		case csSizeTail, csExt:
			if d.lineN++; d.lineN > maxChunkLine {
				return dst[:hdrAt], n, bad("chunk size line too long")
			}
			switch {
			case c == '\r':
				d.state = csSizeLF
			case c == '\n':
				d.endSizeLine()
			case d.state == csExt:
			case c == ';':
				d.state = csExt
			case c != ' ' && c != '\t':
				return dst[:hdrAt], n, bad("invalid chunk size")
			}
		case csSizeLF:
			if c != '\n' {
				return dst[:hdrAt], n, bad("missing LF after chunk size")
			}
			d.endSizeLine()
		case csData:
			k := min(int64(len(p)-n), d.remain)
			if !d.discard {
				dst = append(dst, p[n:n+int(k)]...)
			}
			d.remain -= k
			d.data += k
			n += int(k)
			if d.remain == 0 {
				d.state = csDataCR
			}
			continue
		case csDataCR:
			switch c {
			case '\r':
				d.state = csDataLF
			case '\n':
				d.state = csSize
			default:
				return dst[:hdrAt], n, bad("missing CRLF after chunk data")
			}
		case csDataLF:
			if c != '\n' {
				return dst[:hdrAt], n, bad("missing LF after chunk data")
			}
			d.state = csSize
		case csTrailer:
			switch c {
			case '\r':
				d.state = csEndLF
			case '\n':
				d.state = csDone
			default:
				d.tr, d.trStart = append(d.tr[:0], c), 0
				d.state = csTrailers
			}
		case csTrailers:
			if len(d.tr) >= maxChunkLine {
				return dst[:hdrAt], n, bad("trailers too long")
			}
			d.tr = append(d.tr, c)
			if c == '\n' {
				line := d.tr[d.trStart : len(d.tr)-1]
				if len(line) > 0 && line[len(line)-1] == '\r' {
					line = line[:len(line)-1]
				}
				if len(line) == 0 {
					var perr error
					if d.hs, _, perr = parseHeaders(d.tr, 0, d.hs[:0], false, headerSlots(0)); perr != nil {
						if perr == ErrIncomplete {
							perr = bad("invalid trailers")
						}
						return dst[:hdrAt], n, perr
					}
					for _, h := range d.hs {
						d.trailers += int64(len(h.Name) + len(h.Value))
					}
					d.state = csDone
				}
				d.trStart = len(d.tr)
			}
		case csEndLF:
			if c != '\n' {
				return dst[:hdrAt], n, bad("missing final LF")
			}
			d.state = csDone
		}
		n++
	}
	if d.discard {
		return dst, n, nil
	}
	// The data read in this call leaves as one chunk: its size line goes
	// where the room was reserved, the data moves up against it.
	if size := len(dst) - dataAt; size == 0 {
		dst = dst[:hdrAt]
	} else {
		h := appendHex(dst[:hdrAt], uint64(size))
		h = append(h, '\r', '\n')
		dst = dst[:len(h)+copy(dst[len(h):], dst[dataAt:])]
		dst = append(dst, '\r', '\n')
	}
	if d.state == csDone {
		dst = append(dst, '0', '\r', '\n')
		for _, h := range d.hs {
			n0 := len(dst)
			dst = append(dst, h.Name...)
			LowerInPlace(dst[n0:])
			if to, ok := d.Case[string(dst[n0:])]; ok {
				copy(dst[n0:], to)
			}
			dst = append(dst, ':', ' ')
			dst = append(dst, h.Value...)
			dst = append(dst, '\r', '\n')
		}
		dst = append(dst, '\r', '\n')
		d.hs = d.hs[:0]
	}
	return dst, n, nil
}

func (d *Dechunker) endSizeLine() {
	d.digits, d.lineN = 0, 0
	if d.remain == 0 {
		d.state = csTrailer
	} else {
		d.state = csData
	}
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

func appendHex(dst []byte, n uint64) []byte {
	const hex = "0123456789ABCDEF" // HAProxy writes sizes in upper case
	var tmp [16]byte
	i := len(tmp)
	for {
		i--
		tmp[i] = hex[n&15]
		if n >>= 4; n == 0 {
			break
		}
	}
	return append(dst, tmp[i:]...)
}

// AppendChunk appends p as one chunk of a chunked body (nothing for an
// empty p: the last chunk is AppendLastChunk).
func AppendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	dst = appendHex(dst, uint64(len(p)))
	dst = append(dst, '\r', '\n')
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// AppendLastChunk appends the zero-size chunk and the empty trailer.
func AppendLastChunk(dst []byte) []byte { return append(dst, "0\r\n\r\n"...) }
