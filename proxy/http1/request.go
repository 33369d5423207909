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
	// Authority is the authority of an absolute-form target (after its
	// default port was removed) or CONNECT's target, nil for other forms.
	Authority []byte
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
	var err error
	// RFC 9112 §2.2: ignore at least one empty line before a request line.
	for p < len(buf) && (buf[p] == '\r' || buf[p] == '\n') {
		p++
	}
	line, next, ok := nextLine(buf, p)
	if !ok {
		return ErrIncomplete
	}
	// method SP target SP version; HAProxy 2.6 takes runs of SP or HTAB
	// between the three and re-emits single spaces.
	sp1 := 0
	for sp1 < len(line) && !isBlank(line[sp1]) {
		if !isToken[line[sp1]] {
			return bad("invalid method")
		}
		sp1++
	}
	t0 := skipBlanks(line, sp1)
	if sp1 == 0 || t0 == sp1 || t0 == len(line) {
		return bad("invalid request line")
	}
	t1 := t0
	for t1 < len(line) && !isBlank(line[t1]) {
		if c := line[t1]; c < ' ' {
			return bad("invalid character in request target")
		}
		t1++
	}
	v0 := skipBlanks(line, t1)
	if v0 == t1 || v0 == len(line) {
		return bad("invalid request line") // HTTP/0.9 shapes included
	}
	minor, ok := parseVersion(line[v0:])
	if !ok {
		return bad("invalid HTTP version")
	}
	r.Method, r.Target, r.Minor = line[:sp1], line[t0:t1], minor
	if string(r.Method) == "PRI" {
		// The HTTP/2 preface: never forwarded as an HTTP/1.1 request.
		return bad("HTTP/2 preface on an HTTP/1 connection")
	}
	if r.Authority, err = checkTarget(r.Method, r.Target); err != nil {
		return err
	}
	hs, end, err := parseHeaders(buf, next, hs)
	r.Headers = hs
	if err != nil {
		return err
	}
	if r.Headers, err = analyze(hs, &r.Framing, minor, true); err != nil {
		return err
	}
	if r.Headers, err = mergeHosts(r.Headers); err != nil {
		return err
	}
	if r.Authority != nil {
		if err = r.normalizeAuthority(); err != nil {
			return err
		}
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

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func skipBlanks(b []byte, i int) int {
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	return i
}
