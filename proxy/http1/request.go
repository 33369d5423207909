package http1

// Request is a parsed request head. Reuse one Request per connection: Parse
// resets it and keeps the Headers backing array.
type Request struct {
	Method, Target []byte
	// Minor is 0 for HTTP/1.0 and 1 otherwise.
	Minor   int
	Headers []Header
	// HeadLen is the number of buffer bytes the head occupies; the body (or
	// the next pipelined request) starts there.
	HeadLen int
	Framing
	// ExpectContinue is set for an HTTP/1.1 request carrying
	// "Expect: 100-continue".
	ExpectContinue bool
}

// Parse parses the request head at the start of buf. It returns
// ErrIncomplete when buf ends before the empty line, or an *Error.
func (r *Request) Parse(buf []byte) error {
	hs := r.Headers[:0]
	*r = Request{Headers: hs}
	p := 0
	// RFC 9112 §2.2: ignore at least one empty line before a request line.
	for p < len(buf) && (buf[p] == '\r' || buf[p] == '\n') {
		p++
	}
	line, next, ok := nextLine(buf, p)
	if !ok {
		return ErrIncomplete
	}
	sp1 := 0
	for sp1 < len(line) && line[sp1] != ' ' {
		if !isToken[line[sp1]] {
			return bad("invalid method")
		}
		sp1++
	}
	if sp1 == 0 || sp1 == len(line) {
		return bad("invalid request line")
	}
	rest := line[sp1+1:]
	sp2 := 0
	for sp2 < len(rest) && rest[sp2] != ' ' {
		if c := rest[sp2]; c <= ' ' || c == 0x7f {
			return bad("invalid character in request target")
		}
		sp2++
	}
	if sp2 == 0 || sp2 == len(rest) {
		return bad("invalid request line") // HTTP/0.9 shapes included
	}
	minor, ok := parseVersion(rest[sp2+1:])
	if !ok {
		return bad("invalid HTTP version")
	}
	r.Method, r.Target, r.Minor = line[:sp1], rest[:sp2], minor
	hs, end, err := parseHeaders(buf, next, hs)
	r.Headers = hs
	if err != nil {
		return err
	}
	if r.Headers, err = analyze(hs, &r.Framing, minor, true); err != nil {
		return err
	}
	r.HeadLen = end
	for _, h := range r.Headers {
		if EqualFold(h.Name, "expect") && minor == 1 && EqualFold(h.Value, "100-continue") {
			r.ExpectContinue = true
		}
	}
	if r.IsUpgrade() && EqualFold(r.Upgrade, "websocket") && r.Header("sec-websocket-key") == nil {
		return bad("websocket upgrade without Sec-WebSocket-Key")
	}
	return nil
}

// Header returns the value of the first header with the given lower-case
// name, or nil.
func (r *Request) Header(name string) []byte { return findHeader(r.Headers, name) }

// IsUpgrade reports an HTTP/1.1 protocol upgrade request (Connection:
// upgrade plus an Upgrade header).
func (r *Request) IsUpgrade() bool {
	return r.Minor == 1 && r.ConnUpgrade && len(r.Upgrade) > 0
}

// WantsClose reports whether the client asked to close after this exchange:
// "Connection: close", or HTTP/1.0 without "Connection: keep-alive".
func (r *Request) WantsClose() bool {
	if r.Minor == 0 {
		return !r.ConnKeepAlive
	}
	return r.ConnClose
}

// HasBody reports whether a body follows the head.
func (r *Request) HasBody() bool { return r.Chunked || r.ContentLength > 0 }

// LastHeader is the value of the last header called name, given in lower
// case (nil when there is none): HAProxy's req.hdr() sample fetch reads
// the last occurrence.
func (r *Request) LastHeader(name string) []byte {
	var v []byte
	for _, h := range r.Headers {
		if EqualFold(h.Name, name) {
			v = h.Value
			if v == nil {
				v = []byte{}
			}
		}
	}
	return v
}

func findHeader(hs []Header, name string) []byte {
	for _, h := range hs {
		if EqualFold(h.Name, name) {
			return h.Value
		}
	}
	return nil
}
