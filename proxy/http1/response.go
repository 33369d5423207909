package http1

import "bytes"

// BodyKind says how a response body is delimited.
type BodyKind int

const (
	BodyNone       BodyKind = iota // HEAD, 1xx, 204, 304
	BodyLength                     // Content-Length bytes
	BodyChunked                    // chunked transfer coding
	BodyUntilClose                 // everything until the server closes
)

// Response is a parsed response head, reusable like Request.
type Response struct {
	// AcceptInvalid is `option accept-invalid-http-response` of the
	// backend: set it before Parse (Parse keeps it). Header names may
	// then hold any byte but the colon and the version is any run of
	// version bytes (laxVersion), as in HAProxy 2.6.
	AcceptInvalid bool
	// MaxHeaders is tune.http.maxhdr (0: HAProxy's 101): a head holds
	// at most one header line less. Set it before Parse (Parse keeps it).
	MaxHeaders int
	Status     int
	Reason     []byte
	// Minor is 0 for HTTP/1.0 and 1 otherwise.
	Minor int
	// Version is the version as received; a response with Minor 0 is
	// relayed with it ("HTTP/1.0", "HTTP/0.9", or what accept-invalid
	// let through), one with Minor 1 as HTTP/1.1.
	Version []byte
	Headers []Header
	HeadLen int
	Framing
	// LaxErrPos is, under AcceptInvalid, the offset of the first header
	// name byte that is no token byte, which HAProxy records (and
	// captures) as it lets the response through; -1 when there is none.
	LaxErrPos int
}

// Parse parses the response head at the start of buf.
func (r *Response) Parse(buf []byte) error {
	err := r.parse(buf)
	if err != nil && err != ErrIncomplete {
		locate(buf, err)
	}
	return err
}

func (r *Response) parse(buf []byte) error {
	hs := r.Headers[:0]
	lax, maxHdr := r.AcceptInvalid, r.MaxHeaders
	*r = Response{Headers: hs, AcceptInvalid: lax, MaxHeaders: maxHdr, LaxErrPos: -1}
	line, next, ok := nextLine(buf, 0)
	if !ok {
		return ErrIncomplete
	}
	// v is the length of the version: eight bytes ("HTTP/x.y"), or
	// under accept-invalid whatever runs up to the first space.
	v := 8
	if lax {
		if v = bytes.IndexByte(line, ' '); v < 0 {
			v = len(line)
		}
	}
	if len(line) < v+4 || line[v] != ' ' {
		return badAt("invalid status line", line[min(v, len(line)):], StateRpVer)
	}
	var minor int
	if lax {
		minor, ok = laxVersion(line[:v])
	} else {
		minor, ok = parseVersion(line[:v])
	}
	if !ok {
		return versionError(line[:v], StateRpVer)
	}
	st := 0
	for i, c := range line[v+1 : v+4] {
		if c < '0' || c > '9' {
			return badAt("invalid status code", line[v+1+i:], StateRpCode)
		}
		st = st*10 + int(c-'0')
	}
	if st < 100 {
		return badAt("invalid status code", line[v+1:], StateRpCode)
	}
	if len(line) > v+4 && line[v+4] != ' ' {
		return badAt("invalid status code", line[v+4:], StateRpCode)
	}
	r.Status, r.Minor, r.Version = st, minor, line[:v]
	if len(line) > v+5 {
		r.Reason = line[v+5:]
	}
	hs, end, err := parseHeaders(buf, next, hs, lax, headerSlots(maxHdr))
	r.Headers = hs
	if err != nil {
		return err
	}
	for i := 0; lax && r.LaxErrPos < 0 && i < len(hs); i++ {
		r.LaxErrPos = laxErrPos(buf, hs[i].Name, &isToken)
	}
	if r.Headers, _, err = analyze(hs, &r.Framing, minor, false); err != nil {
		return atHeadEnd(err, buf[end:])
	}
	r.HeadLen = end
	return nil
}

// Header returns the first value of the lower-case named header, or nil.
func (r *Response) Header(name string) []byte { return findHeader(r.Headers, name) }

// Body says how the body that follows is delimited; headReq is true when
// the request was HEAD.
func (r *Response) Body(headReq bool) BodyKind {
	switch {
	case headReq || r.Status < 200 || r.Status == 204 || r.Status == 304:
		return BodyNone
	case r.Chunked:
		return BodyChunked
	case r.ContentLength >= 0:
		return BodyLength
	}
	return BodyUntilClose
}

// KeepAlive reports whether the server lets the connection be reused.
func (r *Response) KeepAlive() bool {
	if r.Minor == 0 {
		return r.ConnKeepAlive && !r.ConnClose
	}
	return !r.ConnClose
}
