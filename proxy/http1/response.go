package http1

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
	Status int
	Reason []byte
	// Minor is 0 for HTTP/1.0 and 1 otherwise.
	Minor   int
	Headers []Header
	HeadLen int
	Framing
}

// Parse parses the response head at the start of buf.
func (r *Response) Parse(buf []byte) error {
	hs := r.Headers[:0]
	*r = Response{Headers: hs}
	line, next, ok := nextLine(buf, 0)
	if !ok {
		return ErrIncomplete
	}
	if len(line) < 12 || line[8] != ' ' {
		return bad("invalid status line")
	}
	minor, ok := parseVersion(line[:8])
	if !ok {
		return bad("invalid HTTP version")
	}
	st := 0
	for _, c := range line[9:12] {
		if c < '0' || c > '9' {
			return bad("invalid status code")
		}
		st = st*10 + int(c-'0')
	}
	if st < 100 || (len(line) > 12 && line[12] != ' ') {
		return bad("invalid status code")
	}
	r.Status, r.Minor = st, minor
	if len(line) > 13 {
		r.Reason = line[13:]
	}
	hs, end, err := parseHeaders(buf, next, hs)
	r.Headers = hs
	if err != nil {
		return err
	}
	if r.Headers, err = analyze(hs, &r.Framing, minor, false); err != nil {
		return err
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
