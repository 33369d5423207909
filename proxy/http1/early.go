package http1

// EarlyError is for a request head Parse found incomplete (ErrIncomplete).
// HAProxy 2.6's H1 parser reads a head byte by byte and refuses it (400)
// at the first byte that cannot continue a valid one, without waiting for
// the end of its line; Parse judges whole lines. EarlyError returns the
// refusal HAProxy has already made on the bytes in buf, or nil while they
// may still become a head (what only a line's end can tell, such as a
// version that is not HTTP/x.y, is left to Parse). Measured on 2.6.12:
// "GET / HTTP/1.1 ", "GET / http/1.1", "PROXY TCP4 1.2.3.4 ", "G\x01",
// "GET /\xff" and "GET / HTTP/1.1\r\nHost " are refused at once; "GET / HTTP/1.1",
// "GET / HTTP/1.10", "GET / X", "GET /", "PROXY " and "GET / HTTP/1.1\r\nHost"
// are waited for. buf holds no head end (else Parse did not stop short).
func (r *Request) EarlyError(buf []byte) error {
	err := earlyRequestLine(buf, r.AcceptInvalid)
	if err != nil {
		locate(buf, err)
	}
	return err
}

// The request line's parts, as the byte-by-byte reading goes.
const (
	inMethod = iota
	afterMethod
	inTarget
	afterTarget
	inVersion
	atLineCR
)

// earlyRequestLine reads the request line of buf as HAProxy's parser does
// (states RQMETH to RQLINE_END), then its header lines (earlyHeaders).
// Empty lines before it are skipped, as Parse skips them.
func earlyRequestLine(buf []byte, lax bool) error {
	p := 0
	for p < len(buf) && (buf[p] == '\r' || buf[p] == '\n') {
		p++
	}
	if p < len(buf) && !isToken[buf[p]] {
		return badAt("invalid request line", buf[p:], StateRqMeth) // as Parse places it
	}
	st := inMethod
	for ; p < len(buf); p++ {
		c := buf[p]
		eol := c == '\r' || c == '\n'
		switch st {
		case inMethod:
			switch {
			case isToken[c]:
			case isBlank(c):
				st = afterMethod
			case eol:
				return nil // an HTTP/0.9 shape: Parse judges its line
			default:
				return badAt("invalid method", buf[p:], StateRqMeth)
			}
		case afterMethod, afterTarget:
			switch {
			case isBlank(c):
			case eol:
				return nil // HTTP/0.9 shapes again
			case st == afterMethod:
				st = inTarget
				p--
			default:
				st = inVersion
				p--
			}
		case inTarget:
			switch {
			case c > ' ' && c <= 0x7f, c >= 0x80 && lax:
				// (DEL passes as Parse lets it: HAProxy's word-at-a-time
				// scan of a target lets it through or not by its place)
			case isBlank(c):
				st = afterTarget
			case eol:
				return nil
			default: // a control byte, or (strict) a byte above 127
				return badAt("invalid character in request target", buf[p:], StateRqURI)
			}
		case inVersion:
			switch {
			case isVersionByte[c]:
			case c == '\r':
				st = atLineCR
			case c == '\n':
				return earlyHeaders(buf, p+1, lax)
			default:
				return badAt("invalid HTTP version", buf[p:], StateRqVer)
			}
		case atLineCR:
			if c != '\n' {
				return badAt("invalid request line end", buf[p:], StateRqLineEnd)
			}
			return earlyHeaders(buf, p+1, lax)
		}
	}
	return nil
}

// The header lines' parts.
const (
	atLineStart = iota
	inName
	inValue
	atValueCR
	atLastCR
)

// earlyHeaders reads the header lines from p as HAProxy's parser does
// (states HDR_FIRST to LAST_LF): a name byte that is no token byte
// (under accept-invalid-http-request: a line feed) and a CR not followed
// by LF are refused as they come.
func earlyHeaders(buf []byte, p int, lax bool) error {
	st, first, blank := atLineStart, true, true
	for ; p < len(buf); p++ {
		c := buf[p]
		switch st {
		case atLineStart:
			switch {
			case c == '\r':
				st = atLastCR
			case c == '\n':
				return nil // the head's end: Parse judges it
			case isBlank(c) && !first:
				st = inValue // a folded line continues the value
			default:
				st = inName
				p--
			}
		case inName:
			switch {
			case c == ':':
				st, blank = inValue, true
			case isToken[c], lax && c != '\n':
			default:
				return badAt("invalid header name", buf[p:], StateHdrName)
			}
		case inValue:
			switch {
			case c == '\r':
				st = atValueCR
			case c == '\n':
				st, first = atLineStart, false
			case !isBlank(c):
				blank = false
			}
		case atValueCR:
			if c != '\n' {
				if blank {
					return badAt("invalid header line end", buf[p:], StateHdrL1LF)
				}
				return badAt("invalid header line end", buf[p:], StateHdrL2LF)
			}
			st, first = atLineStart, false
		case atLastCR:
			if c != '\n' {
				return badAt("invalid head end", buf[p:], StateLastLF)
			}
			return nil
		}
	}
	return nil
}
