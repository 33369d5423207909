// Package http1 parses HTTP/1.1 request and response heads in place and
// validates message framing the way HAProxy 2.6's H1 parser does. It is pure:
// no I/O, no clock. Parsed fields are sub-slices of the caller's buffer and
// the header slice is reused between messages, so a steady-state parse does
// not allocate.
package http1

// isToken marks the RFC 9110 tchar set: the bytes allowed in methods and
// header names.
var isToken = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'a'; c <= 'z'; c++ {
		t[c] = true
		t[c-'a'+'A'] = true
	}
	for _, c := range "!#$%&'*+-.^_`|~" {
		t[c] = true
	}
	return
}()

// isVersionByte marks the bytes HAProxy 2.6's H1 parser takes in an HTTP
// version under accept-invalid-http-request/-response: digits, upper-case
// letters, '.' and '/' (checked against haproxy 2.6.12: "HTTP/1.X",
// "RTSP/1.0" and "1.1" pass, "http/1.1", "HTTP_1.1" do not).
var isVersionByte = func() (t [256]bool) {
	for c := '0'; c <= '9'; c++ {
		t[c] = true
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = true
	}
	t['.'], t['/'] = true, true
	return
}()

// lower folds ASCII upper case; header names are ASCII tokens.
func lower(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// EqualFold reports whether a equals the lower-case ASCII string b, ignoring
// case in a. It is the comparison header names and tokens need.
func EqualFold(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		if lower(a[i]) != b[i] {
			return false
		}
	}
	return true
}

// LowerInPlace folds an ASCII name to lower case in its buffer, as HAProxy
// emits header names.
func LowerInPlace(b []byte) {
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
}

// trimOWS strips optional white space (SP, HTAB) at both ends.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// forEachToken calls fn for each non-empty comma-separated element of a list
// header value, trimmed of white space.
func forEachToken(v []byte, fn func(tok []byte)) {
	for len(v) > 0 {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		if t := trimOWS(v[:i]); len(t) > 0 {
			fn(t)
		}
		if i == len(v) {
			return
		}
		v = v[i+1:]
	}
}

// forEachElement is forEachToken keeping empty elements (",3" or "3,"):
// Content-Length and Transfer-Encoding lists judge them as HAProxy does.
// last is set for the final element.
func forEachElement(v []byte, fn func(tok []byte, last bool)) {
	for {
		i := 0
		for i < len(v) && v[i] != ',' {
			i++
		}
		fn(trimOWS(v[:i]), i == len(v))
		if i == len(v) {
			return
		}
		v = v[i+1:]
	}
}

// IsToken says whether s is a non-empty RFC 9110 token (a method or a
// header name as written).
func IsToken(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isToken[s[i]] {
			return false
		}
	}
	return s != ""
}

// IsTokenChar reports whether c is an RFC 9110 tchar.
func IsTokenChar(c byte) bool { return isToken[c] }
