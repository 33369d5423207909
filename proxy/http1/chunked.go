package http1

// ChunkScanner validates a chunked body as it passes through unchanged: the
// proxy forwards the raw bytes and only needs to know where the body ends
// and whether it is well-formed. The zero value is ready for a new body.
type ChunkScanner struct {
	state  chunkState
	remain int64 // data bytes left in the current chunk
	digits int
	lineN  int // bytes in the current size or trailer line
}

type chunkState uint8

const (
	csSize    chunkState = iota // hex digits of the chunk size
	csExt                       // chunk extension up to LF
	csSizeLF                    // after CR of the size line
	csData                      // chunk data
	csDataCR                    // CR after data
	csDataLF                    // LF after data
	csTrailer                   // start of a trailer line (or the final empty line)
	csTrailerLine
	csTrailerLF // LF that ends a trailer line
	csEndLF     // LF of the final empty line
	csDone
)

// maxChunkLine bounds size and trailer lines, like a head.
const maxChunkLine = 16384

// Done reports whether the final CRLF of the body was scanned.
func (s *ChunkScanner) Done() bool { return s.state == csDone }

// Scan consumes bytes of p and returns how many belong to the body; n <
// len(p) only when the body ended (the rest is the next message). It
// returns an *Error for a malformed chunk (bad or oversized size, missing
// CRLF).
func (s *ChunkScanner) Scan(p []byte) (n int, err error) {
	for n < len(p) {
		c := p[n]
		switch s.state {
		case csSize:
			v := hexVal(c)
			switch {
			case v >= 0:
				if s.digits >= 15 {
					return n, bad("chunk size too large")
				}
				s.remain = s.remain<<4 | int64(v)
				s.digits++
			case s.digits == 0:
				return n, bad("invalid chunk size")
			case c == ';' || c == ' ' || c == '\t':
				s.state = csExt
			case c == '\r':
				s.state = csSizeLF
			case c == '\n':
				s.endSizeLine()
			default:
				return n, bad("invalid chunk size")
			}
		case csExt:
			if s.lineN++; s.lineN > maxChunkLine {
				return n, bad("chunk extension too long")
			}
			switch c {
			case '\r':
				s.state = csSizeLF
			case '\n':
				s.endSizeLine()
			case 0:
				return n, bad("NUL in chunk extension")
			}
		case csSizeLF:
			if c != '\n' {
				return n, bad("missing LF after chunk size")
			}
			s.endSizeLine()
		case csData:
			k := int64(len(p) - n)
			if k > s.remain {
				k = s.remain
			}
			s.remain -= k
			n += int(k)
			if s.remain == 0 {
				s.state = csDataCR
			}
			continue
		case csDataCR:
			switch c {
			case '\r':
				s.state = csDataLF
			case '\n':
				s.state = csSize
			default:
				return n, bad("missing CRLF after chunk data")
			}
		case csDataLF:
			if c != '\n' {
				return n, bad("missing LF after chunk data")
			}
			s.state = csSize
		case csTrailer:
			switch c {
			case '\r':
				s.state = csEndLF
			case '\n':
				s.state = csDone
				return n + 1, nil
			default:
				s.state, s.lineN = csTrailerLine, 1
			}
		case csTrailerLine:
			if s.lineN++; s.lineN > maxChunkLine {
				return n, bad("trailer line too long")
			}
			switch c {
			case '\r':
				s.state = csTrailerLF
			case '\n':
				s.state = csTrailer
			case 0:
				return n, bad("NUL in trailer")
			}
		case csTrailerLF:
			if c != '\n' {
				return n, bad("missing LF in trailer")
			}
			s.state = csTrailer
		case csEndLF:
			if c != '\n' {
				return n, bad("missing final LF")
			}
			s.state = csDone
			return n + 1, nil
		case csDone:
			return n, nil
		}
		n++
	}
	return n, nil
}

func (s *ChunkScanner) endSizeLine() {
	s.digits, s.lineN = 0, 0
	if s.remain == 0 {
		s.state = csTrailer
	} else {
		s.state = csData
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

// AppendChunk appends p as one chunk of a chunked body (nothing for an
// empty p: the last chunk is AppendLastChunk).
func AppendChunk(dst, p []byte) []byte {
	if len(p) == 0 {
		return dst
	}
	const hex = "0123456789abcdef"
	var tmp [16]byte
	i := len(tmp)
	for n := uint64(len(p)); n > 0; n >>= 4 {
		i--
		tmp[i] = hex[n&15]
	}
	dst = append(dst, tmp[i:]...)
	dst = append(dst, '\r', '\n')
	dst = append(dst, p...)
	return append(dst, '\r', '\n')
}

// AppendLastChunk appends the zero-size chunk and the empty trailer.
func AppendLastChunk(dst []byte) []byte { return append(dst, "0\r\n\r\n"...) }
