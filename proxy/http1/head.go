package http1

import (
	"bytes"
	"encoding/binary"
	"math/bits"
)

// MaxHeaders is HAProxy's default tune.http.maxhdr (101): the start line
// takes one of its slots, so a head may hold 100 header lines.
const MaxHeaders = 101

// headerSlots is how many header lines a head may hold under
// tune.http.maxhdr max (0: MaxHeaders): HAProxy's list of a head's
// fields ends with an empty one. A Connection field with nothing but
// close and keep-alive takes no slot: HAProxy's parser consumes it
// (measured with maxhdr 10: Host, Connection: close and 8 more fields
// taken, Host and 9 more refused).
func headerSlots(max int) int {
	if max <= 0 {
		max = MaxHeaders
	}
	return max - 1
}

// maxNameLen is the longest header name HAProxy's HTX stores (one byte
// of length).
const maxNameLen = 255

// Header is one header field; Name and Value point into the parsed buffer.
type Header struct {
	Name, Value []byte
}

// Framing is what a head says about the body that follows and about the
// connection.
type Framing struct {
	// ContentLength is the body length, or -1 when no Content-Length was
	// sent (or it was dropped because Transfer-Encoding is present).
	ContentLength int64
	// Chunked means Transfer-Encoding ends in chunked.
	Chunked bool
	// CLWithTE is set when both Content-Length and Transfer-Encoding were
	// present: Content-Length was removed (RFC 9112 §6.3) and, like HAProxy,
	// the connection must be closed after this transaction.
	CLWithTE bool
	// Connection header tokens.
	ConnClose, ConnKeepAlive, ConnUpgrade bool
	// Upgrade is the Upgrade header value (nil when absent).
	Upgrade []byte
}

// nextLine returns the line starting at p (without CR LF), the index after
// its LF, or ok=false when no LF is buffered yet. A bare LF ends a line, as
// HAProxy accepts.
func nextLine(buf []byte, p int) (line []byte, next int, ok bool) {
	i := bytes.IndexByte(buf[p:], '\n')
	if i < 0 {
		return nil, 0, false
	}
	i += p
	end := i
	if end > p && buf[end-1] == '\r' {
		end--
	}
	return buf[p:end], i + 1, true
}

// parseHeaders parses header lines from p up to and including the empty
// line. Folded continuation lines (obs-fold) are unfolded in place by
// replacing the CR LF with spaces, which is what HAProxy 2.6 does. lax is
// accept-invalid-http-request/-response: a header name may hold any byte
// but the colon (a leading blank on the first line included), as long as
// it is not empty and does not start with CR.
//
// A line of the usual shape (token name, colon, a value without NUL or
// bare CR, ended by CR LF or LF, not folded, and followed by a buffered
// byte) is read in one pass (scanField); any other line goes through
// headerLine, which judges it byte for byte. Both read such a line alike.
func parseHeaders(buf []byte, p int, hs []Header, lax bool, slots int) ([]Header, int, error) {
	for {
		var name, val []byte
		if p+1 < len(buf) {
			switch c := buf[p]; {
			case c == '\n':
				return hs, p + 1, nil
			case c == '\r' && buf[p+1] == '\n':
				return hs, p + 2, nil
			}
		}
		n, v0, v1, next := scanField(buf, p)
		if next > 0 {
			name, val = buf[p:n], buf[v0:v1]
		} else {
			var end bool
			var err error
			name, val, next, end, err = headerLine(buf, p, lax)
			if end || err != nil {
				return hs, next, err
			}
		}
		if len(name) != len("connection") || !EqualFold(name, "connection") || !OnlyHopTokens(val) {
			if slots--; slots < 0 {
				return hs, 0, bad("too many headers")
			}
		}
		// Grown, then filled in place: a Header built first and copied
		// in costs more (its 16-byte loads wait for its 8-byte stores).
		if len(hs) < cap(hs) {
			hs = hs[:len(hs)+1]
		} else {
			hs = append(hs, Header{})
		}
		h := &hs[len(hs)-1]
		h.Name, h.Value = name, val
		p = next
	}
}

// scanField reads the header line at p when it has the usual shape: a
// name of 1 to maxNameLen token bytes ending at n (its colon), a value
// buf[v0:v1] (optional white space trimmed) holding no NUL and no CR,
// ended by CR LF or a bare LF, and a next line that is buffered and does
// not fold (it starts at next). next is 0 for any other line.
func scanField(buf []byte, p int) (n, v0, v1, next int) {
	i := tokenEnd(buf, p)
	if i == p || i-p > maxNameLen || i >= len(buf) || buf[i] != ':' {
		return 0, 0, 0, 0
	}
	v := i + 1
	for v < len(buf) && (buf[v] == ' ' || buf[v] == '\t') {
		v++
	}
	// ctlIndex, its word loop written out here (a call per field costs)
	j := v
	for j+8 <= len(buf) {
		x := binary.LittleEndian.Uint64(buf[j:])
		t := (x - 0x0e*ones) &^ x & highs
		if t == 0 {
			j += 8
			continue
		}
		j += bits.TrailingZeros64(t) >> 3
		if c := buf[j]; c == 0 || c == '\r' || c == '\n' {
			goto found
		}
		j++
	}
	if j = ctlIndex(buf, j); j < 0 {
		return 0, 0, 0, 0
	}
found:
	e := j
	switch buf[j] {
	case '\r':
		if j++; j >= len(buf) || buf[j] != '\n' {
			return 0, 0, 0, 0
		}
	case 0:
		return 0, 0, 0, 0
	}
	if j+1 >= len(buf) || buf[j+1] == ' ' || buf[j+1] == '\t' {
		return 0, 0, 0, 0
	}
	for e > v && (buf[e-1] == ' ' || buf[e-1] == '\t') {
		e--
	}
	return i, v, e, j + 1
}

// headerLine reads the logical header line at p (folded lines unfolded
// in place) and judges it as HAProxy 2.6 does: its name and value, the
// start of the next line, or end set when it is the empty line ending
// the head (next is then after it). err is ErrIncomplete when the line
// (or whether the next one folds) is not buffered yet.
func headerLine(buf []byte, p int, lax bool) (name, val []byte, next int, end bool, err error) {
	if p >= len(buf) {
		return nil, nil, 0, false, ErrIncomplete
	}
	start := p
	// Find the end of this logical line, unfolding continuations.
	var stop int
	for q := p; ; {
		i := bytes.IndexByte(buf[q:], '\n')
		if i < 0 {
			return nil, nil, 0, false, ErrIncomplete
		}
		i += q
		stop, next = i, i+1
		if stop > start && buf[stop-1] == '\r' {
			stop--
		}
		if stop == start { // empty line: end of head
			return nil, nil, next, true, nil
		}
		if next == len(buf) {
			if q == start && !startsHeaderLine(buf[start:stop], lax) {
				return nil, nil, 0, false, badAt("invalid header line", buf[start+nameErrAt(buf[start:stop]):], StateHdrName)
			}
			return nil, nil, 0, false, ErrIncomplete // cannot tell yet whether the next line folds
		}
		if c := buf[next]; c != ' ' && c != '\t' {
			break
		}
		for k := stop; k < next; k++ {
			buf[k] = ' '
		}
		q = next
	}
	line := buf[start:stop]
	if !lax && (line[0] == ' ' || line[0] == '\t') {
		return nil, nil, 0, false, badAt("folded line before any header", line, StateHdrName)
	}
	colon := -1
	if lax {
		colon = bytes.IndexByte(line, ':')
		if line[0] == '\r' {
			colon = -1 // HAProxy reads a CR there as the end of the head
		}
	} else {
		for i, c := range line {
			if c == ':' {
				colon = i
				break
			}
			if !isToken[c] {
				return nil, nil, 0, false, badAt("invalid character in header name", line[i:], StateHdrName)
			}
		}
	}
	if colon <= 0 {
		return nil, nil, 0, false, badAt("header line without a valid name", line[max(colon, 0):], StateHdrName)
	}
	if colon > maxNameLen {
		return nil, nil, 0, false, bad("header name too long")
	}
	val = trimOWS(line[colon+1:])
	// HAProxy 2.6 passes other control bytes in values; NUL and a
	// bare CR are refused here because they split headers in
	// downstream parsers. (A value holds no LF: lines end there.)
	if i := bytes.IndexAny(val, "\x00\r\n"); i >= 0 {
		if val[i] == 0 {
			return nil, nil, 0, false, badAt("NUL or CR in header value", val[i:], StateHdrVal)
		}
		return nil, nil, 0, false, badAt("NUL or CR in header value", val[i+1:], StateHdrL2LF)
	}
	return line[:colon], val, next, false, nil
}

// analyze fills f from the headers and normalises them in place: duplicate
// identical Content-Length values are merged into one header, and
// Content-Length is removed when Transfer-Encoding is present. isRequest
// selects the request-only checks. seen says what the request checks
// after it need to look at (mergeHosts, Expect).
func analyze(hs []Header, f *Framing, minor int, isRequest bool) (out []Header, seen namesSeen, err error) {
	*f = Framing{ContentLength: -1}
	clIdx, teSeen := -1, false
	chunkedCount, otherCoding, chunkedLast := 0, false, false
	out = hs[:0]
	for i := range hs {
		h := &hs[i] // read in place: a copy of each field costs
		// one jump on the name's length, then at most one comparison
		switch n := h.Name; len(n) {
		case len("host"):
			if EqualFold(n, "host") {
				seen.hosts++
			}
		case len("expect"):
			seen.expect = seen.expect || EqualFold(n, "expect")
		case len("content-length"):
			if !EqualFold(n, "content-length") {
				break
			}
			var first []byte
			var err error
			forEachElement(h.Value, func(tok []byte, _ bool) {
				n, ok := parseDecimal(tok) // an empty element is invalid too
				switch {
				case err != nil:
				case !ok:
					err = badAt("invalid content-length", h.Value, StateHdrL2LWS)
				case f.ContentLength >= 0 && n != f.ContentLength:
					err = badAt("conflicting content-length", h.Value, StateHdrL2LWS)
				default:
					f.ContentLength = n
					if first == nil {
						first = tok
					}
				}
			})
			if err != nil {
				return hs, seen, err
			}
			if first == nil {
				return hs, seen, badAt("empty content-length", h.Value, StateHdrL2LWS)
			}
			if clIdx >= 0 {
				continue // identical duplicate: keep the first header only
			}
			clIdx = len(out)
			out = append(out, Header{Name: h.Name, Value: first})
			continue
		case len("transfer-encoding"):
			if !EqualFold(n, "transfer-encoding") {
				break
			}
			teSeen = true
			forEachElement(h.Value, func(tok []byte, last bool) {
				if len(tok) == 0 && last {
					return // "chunked," is "chunked" for HAProxy
				}
				if EqualFold(tok, "chunked") {
					chunkedCount++
					chunkedLast = true
				} else {
					otherCoding = true
					chunkedLast = false
				}
			})
		case len("connection"):
			if !EqualFold(n, "connection") {
				break
			}
			forEachToken(h.Value, func(tok []byte) {
				switch {
				case EqualFold(tok, "close"):
					f.ConnClose = true
				case EqualFold(tok, "keep-alive"):
					f.ConnKeepAlive = true
				case EqualFold(tok, "upgrade"):
					f.ConnUpgrade = true
				}
			})
		case len("upgrade"):
			if EqualFold(n, "upgrade") {
				f.Upgrade = h.Value
			}
		}
		if len(out) == i {
			out = out[:i+1] // in its place already: no copy
		} else {
			out = append(out, *h)
		}
	}
	if teSeen {
		// HAProxy 2.6 takes "chunked" alone, in requests and responses
		// alike (a response with "gzip" or "gzip, chunked" is a 502).
		if chunkedCount > 1 || !chunkedLast {
			return out, seen, bad("invalid transfer-encoding")
		}
		if otherCoding {
			return out, seen, &Error{Status: 422, Msg: "unsupported transfer-coding"}
		}
		f.Chunked = chunkedCount == 1 && chunkedLast
		if clIdx >= 0 {
			out = append(out[:clIdx], out[clIdx+1:]...)
			f.ContentLength = -1
			f.CLWithTE = true
		}
	}
	_ = minor
	return out, seen, nil
}

// namesSeen is what analyze met of the fields request checks read:
// how many Host fields, and whether an Expect field.
type namesSeen struct {
	hosts  int
	expect bool
}

// parseDecimal parses a non-empty run of ASCII digits that fits in 62 bits.
func parseDecimal(b []byte) (int64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// laxVersion reads a version as HAProxy 2.6 does under
// accept-invalid-http-request/-response: any non-empty run of version
// bytes (isVersionByte). It is HTTP/1.1 when it is eight bytes long and
// its sixth and eighth bytes say at least 1.1 ("HTTP/1.X" and "RTSP/1.1"
// are, and are forwarded as HTTP/1.1); anything else is spoken as
// HTTP/1.0 and forwarded as written ("HTTP/1.10", "RTSP/1.0").
func laxVersion(v []byte) (minor int, ok bool) {
	if len(v) == 0 {
		return 0, false
	}
	for _, c := range v {
		if !isVersionByte[c] {
			return 0, false
		}
	}
	if len(v) == 8 && (v[5] > '1' || v[5] == '1' && v[7] >= '1') {
		return 1, true
	}
	return 0, true
}

// parseVersion reads "HTTP/x.y" and returns the minor version the proxy
// speaks: 0 for HTTP/1.0, 1 for anything else (HAProxy forwards other
// HTTP/x.y versions as HTTP/1.1).
func parseVersion(v []byte) (minor int, ok bool) {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' ||
		v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9' {
		return 0, false
	}
	if v[5] == '1' && v[7] == '0' || v[5] == '0' {
		return 0, true
	}
	return 1, true
}

// nameErrAt is where HAProxy's parser stops in a header line that has no
// valid name: its first byte that is not a name byte, or its colon when
// the name is empty.
func nameErrAt(line []byte) int {
	for i, c := range line {
		if !isToken[c] {
			return i
		}
	}
	return len(line)
}

// startsHeaderLine reports whether line can begin a header field (a token
// then a colon): a line that cannot is refused at once instead of waiting
// for the next line's first byte.
func startsHeaderLine(line []byte, lax bool) bool {
	if lax {
		return len(line) > 0 && line[0] != '\r' && bytes.IndexByte(line, ':') > 0
	}
	for i, c := range line {
		if c == ':' {
			return i > 0
		}
		if !isToken[c] {
			return false
		}
	}
	return false
}

// OnlyHopTokens reports whether a Connection value holds nothing but
// close and keep-alive tokens: HAProxy's H1 parser takes such a field
// out of the head (it stores no field and no HTX block for it).
func OnlyHopTokens(v []byte) bool {
	for len(v) > 0 {
		tok := v
		if i := bytes.IndexByte(v, ','); i >= 0 {
			tok, v = v[:i], v[i+1:]
		} else {
			v = nil
		}
		tok = trimOWS(tok)
		if len(tok) > 0 && !EqualFold(tok, "close") && !EqualFold(tok, "keep-alive") {
			return false
		}
	}
	return true
}
