package http1

// Request is a parsed request head. Reuse one Request per connection: Parse
// resets it and keeps the Headers backing array.
type Request struct {
	// AcceptInvalid is `option accept-invalid-http-request` of the
	// frontend: set it before Parse (Parse keeps it). It relaxes what
	// HAProxy 2.6 relaxes (see checkTarget, parseHeaders, laxVersion,
	// parseHTTP09); everything else stays refused.
	AcceptInvalid bool
	// MaxHeaders is tune.http.maxhdr (0: HAProxy's 101): a head holds
	// at most one header line less. Set it before Parse (Parse keeps it).
	MaxHeaders int
	// AnyMethodPayload is the global h1-accept-payload-with-any-method:
	// without it an HTTP/1.0 GET, HEAD or DELETE announcing a payload is
	// refused with a 413 (payloadRefused). Parse keeps it.
	AnyMethodPayload bool
	// Prefetch parses as HAProxy 2.6 parses a tcp stream's bytes for its
	// HTTP fetches (smp_prefetch_htx: its H1 parser alone, no H1 mux):
	// an HTTP/0.9 GET (parseHTTP09) is taken without AcceptInvalid, a
	// WebSocket upgrade without Sec-WebSocket-Key is no error (measured).
	// Parse keeps it.
	Prefetch       bool
	Method, Target []byte
	// Minor is 0 for HTTP/1.0 and 1 otherwise.
	Minor int
	// Version is the version as received ("HTTP/1.0" for HTTP/0.9),
	// which HAProxy logs; a request with Minor 0 is forwarded with it
	// (say "HTTP/1.10" under accept-invalid), one with Minor 1 as
	// HTTP/1.1.
	Version []byte
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
	// FromH2 marks a head an HTTP/2 stream was bridged into (set before
	// Parse; Parse keeps it): a CONNECT's Host keeps its port, as HAProxy
	// passes the :authority on, and a WebSocket upgrade may come without
	// Sec-WebSocket-Key (an extended CONNECT: the key is made when the
	// request goes to its server).
	FromH2 bool
	// ConnectTE: a CONNECT request came with a Transfer-Encoding field
	// (connect.go).
	ConnectTE bool
	// ConnectCL is the size (name and value) of the Content-Length field
	// a CONNECT request came with, dropped from the request sent on but
	// counted in HAProxy's HTX message (%U) (connect.go).
	ConnectCL int
	// LaxErrPos is, under AcceptInvalid, the offset of the first byte
	// that was let through but that HAProxy records as an error (a
	// target byte that is '#' or not ASCII, a header name byte that is
	// no token byte): HAProxy captures such a request for `show errors`
	// and forwards it. -1 when there is none.
	LaxErrPos int
}

// Parse parses the request head at the start of buf. It returns
// ErrIncomplete when buf ends before the empty line, or an *Error.
func (r *Request) Parse(buf []byte) error {
	err := r.parse(buf)
	if err != nil && err != ErrIncomplete {
		locate(buf, err)
	}
	return err
}

func (r *Request) parse(buf []byte) error {
	hs := r.Headers[:0]
	lax, maxHdr, anyPayload, fromH2, prefetch := r.AcceptInvalid, r.MaxHeaders, r.AnyMethodPayload, r.FromH2, r.Prefetch
	*r = Request{Headers: hs, AcceptInvalid: lax, MaxHeaders: maxHdr, AnyMethodPayload: anyPayload, FromH2: fromH2, Prefetch: prefetch, LaxErrPos: -1}
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
			return badAt("invalid method", line[sp1:], StateRqMeth)
		}
		sp1++
	}
	t0 := skipBlanks(line, sp1)
	if sp1 == 0 {
		return badAt("invalid request line", line, StateRqMeth)
	}
	if t0 == sp1 || t0 == len(line) {
		return badAt("invalid request line", line[t0:], StateRqMethSP)
	}
	t1 := t0
	for t1 < len(line) && !isBlank(line[t1]) {
		if c := line[t1]; c < ' ' {
			return badAt("invalid character in request target", line[t1:], StateRqURI)
		}
		t1++
	}
	v0 := skipBlanks(line, t1)
	if v0 == len(line) && (lax || prefetch) {
		return r.parseHTTP09(line[:sp1], line[t0:t1], next)
	}
	if v0 == t1 || v0 == len(line) {
		return badAt("invalid request line", line[v0:], StateRqURISP) // HTTP/0.9 shapes included
	}
	var minor int
	if lax {
		minor, ok = laxVersion(line[v0:])
	} else {
		minor, ok = parseVersion(line[v0:])
	}
	if !ok {
		return versionError(line[v0:], StateRqVer)
	}
	r.Method, r.Target, r.Minor, r.Version = line[:sp1], line[t0:t1], minor, line[v0:]
	if string(r.Method) == "PRI" {
		// The HTTP/2 preface's shape: never forwarded as an HTTP/1.1
		// request. HAProxy's analyzer refuses it once its H1 parser took
		// the whole head (a field the parser refuses comes first).
		hs, _, err := parseHeaders(buf, next, hs, lax, headerSlots(maxHdr))
		if err != nil {
			return err
		}
		r.Headers = hs // read by a tcp stream's HTTP fetches (Preface errors only)
		return &Error{Status: 400, Msg: "PRI request (HTTP/2 preface) on an HTTP/1 connection", Pos: -1, Preface: true}
	}
	if r.Authority, err = checkTarget(r.Method, r.Target, lax); err != nil {
		return err
	}
	if lax {
		r.LaxErrPos = laxErrPos(buf, r.Target, &targetByteOK)
	}
	hs, end, err := parseHeaders(buf, next, hs, lax, headerSlots(maxHdr))
	r.Headers = hs
	if err != nil {
		return err
	}
	for i := 0; lax && r.LaxErrPos < 0 && i < len(hs); i++ {
		r.LaxErrPos = laxErrPos(buf, hs[i].Name, &isToken)
	}
	var seen namesSeen
	if r.Headers, seen, err = analyze(hs, &r.Framing, minor, true); err != nil {
		return atHeadEnd(err, buf[end:])
	}
	if seen.hosts > 1 { // one Host or none: nothing to merge
		if r.Headers, err = mergeHosts(r.Headers); err != nil {
			return err
		}
	}
	if r.IsConnect() {
		r.connectFraming() // connect.go
	}
	if !anyPayload && r.payloadRefused() {
		// refused once the head was taken: show errors describes it
		// where its body starts (StateAccepted)
		return &Error{Status: 413, Msg: "HTTP/1.0 GET/HEAD/DELETE request with a payload", Pos: -1, State: StateAccepted, at: buf[end:]}
	}
	if r.Authority != nil {
		if err = r.normalizeAuthority(lax); err != nil {
			return err
		}
	} else if !lax {
		if err = r.bareAuthorityCheck(); err != nil {
			return err
		}
	}
	r.HeadLen = end
	for i := 0; seen.expect && i < len(r.Headers); i++ {
		if h := &r.Headers[i]; EqualFold(h.Name, "expect") && minor == 1 && EqualFold(h.Value, "100-continue") {
			r.ExpectContinue = true
		}
	}
	if r.IsUpgrade() && EqualFold(r.Upgrade, "websocket") && r.Header("sec-websocket-key") == nil && !r.FromH2 && !prefetch {
		return bad("websocket upgrade without Sec-WebSocket-Key")
	}
	return nil
}

// payloadRefused reports an HTTP/1.0 GET, HEAD or DELETE (methods as
// written, case included) announcing a payload: a non-zero
// Content-Length or a chunked body. HAProxy 2.6's H1 mux refuses it with
// a 413 unless h1-accept-payload-with-any-method is set: an HTTP/1.0
// server may not look for a body there, and read it as the next request.
func (r *Request) payloadRefused() bool {
	if r.Minor != 0 || !(r.Chunked || r.ContentLength > 0) {
		return false
	}
	m := string(r.Method)
	return m == "GET" || m == "HEAD" || m == "DELETE"
}

// laxErrPos is the offset in buf of the first byte of field (a sub-slice
// of buf) that ok refuses, -1 when there is none.
func laxErrPos(buf, field []byte, ok *[256]bool) int {
	for i, c := range field {
		if !ok[c] {
			return cap(buf) - cap(field[i:])
		}
	}
	return -1
}

// http10 is the version an HTTP/0.9 request is forwarded with.
var http10 = []byte("HTTP/1.0")

// parseHTTP09 takes a request line without a version, which HAProxy 2.6
// accepts under accept-invalid-http-request for GET with a target: the
// head ends with that line (whatever follows is never read as headers:
// the request closes its connection) and the request goes on as
// "GET target HTTP/1.0" without headers.
func (r *Request) parseHTTP09(method, target []byte, end int) error {
	if string(method) != "GET" {
		return bad("HTTP/0.9 request other than GET")
	}
	r.Method, r.Target, r.Minor, r.Version = method, target, 0, http10
	r.Framing = Framing{ContentLength: -1}
	var err error
	if r.Authority, err = checkTarget(method, target, true); err != nil {
		return err
	}
	if r.Authority != nil {
		if err = r.normalizeAuthority(true); err != nil {
			return err
		}
	}
	r.HeadLen = end
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
