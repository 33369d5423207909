package http1

import "bytes"

// The request-target rules below are HAProxy 2.6's, checked by sending raw
// requests to it (testdata/http1 holds the corpus, TestOddTargetsMatchHAProxy
// the odd forms): a target starting with '/' is origin form, one starting
// with '*' is forwarded as it is ("*", but also "*x"), and CONNECT's is
// authority form. Any other target is read as an absolute URI whose scheme
// may be missing: "scheme://authority[/...]", or "authority[/...]" (say
// "h.example/a/b", "a:b", "?q"), whose authority (up to the first '/',
// after any userinfo) must then be Host exactly, when there is a Host
// (bareAuthorityCheck). A '#' or a byte >= 0x80 anywhere in a target is
// a 400 (a fragment never travels; a raw non-ASCII byte is read
// differently by different servers), unless the frontend has `option
// accept-invalid-http-request` (checkTarget's lax).

// targetByteOK marks the bytes allowed in a request target: visible ASCII
// and DEL, except '#'.
var targetByteOK = func() (t [256]bool) {
	for c := 0x21; c <= 0x7f; c++ {
		t[c] = c != '#' // DEL passes, as in HAProxy 2.6
	}
	return
}()

// checkTarget validates the target of a request with the given method and
// returns the authority of an absolute-form target (nil otherwise). lax
// (accept-invalid-http-request) lets '#' and bytes >= 0x80 through and
// refuses no form: a CONNECT target not in authority form is forwarded
// as it is, with no authority.
func checkTarget(method, target []byte, lax bool) (authority []byte, err error) {
	if lax {
		// Control bytes stay refused (the caller checked them); a
		// target in none of the forms has no authority.
		if authority, err = targetForm(method, target); err != nil {
			return nil, nil
		}
		return authority, nil
	}
	for i, c := range target {
		if !targetByteOK[c] {
			return nil, badAt("invalid character in request target", target[i:], StateRqURI)
		}
	}
	return targetForm(method, target)
}

// targetForm finds which of the four forms target has (RFC 9112 §3.2) and
// returns the authority of the absolute and authority forms.
func targetForm(method, target []byte) (authority []byte, err error) {
	if string(method) == "CONNECT" {
		// host ":" port, nothing else (HAProxy refuses "t", "*", "/x",
		// "http://t/").
		i := bytes.LastIndexByte(target, ':')
		if i <= 0 || i == len(target)-1 || bytes.IndexByte(target[i:], ']') >= 0 ||
			bytes.IndexByte(target, '/') >= 0 || target[0] == '*' {
			return nil, bad("CONNECT target not in authority form")
		}
		for _, c := range target[i+1:] {
			if c < '0' || c > '9' {
				return nil, bad("CONNECT target not in authority form")
			}
		}
		return target, nil
	}
	if target[0] == '/' || target[0] == '*' {
		return nil, nil
	}
	scheme := schemeLen(target)
	if scheme == 0 || !bytes.HasPrefix(target[scheme:], []byte("://")) {
		return nil, nil // no scheme: bareAuthorityCheck, once Host is known
	}
	rest := target[scheme+3:]
	if i := bytes.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest, nil
}

// schemeLen is the length of a URI scheme (ALPHA *(ALPHA / DIGIT / "+" /
// "-" / ".")) at the start of t, 0 when there is none.
func schemeLen(t []byte) int {
	for i, c := range t {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		default:
			return i
		}
	}
	return len(t)
}

// defaultPortLen is the length of the ":port" suffix of authority that is
// the default port of scheme (":80" for http, ":443" for https, or an
// empty ":"), 0 when the port must stay. HAProxy 2.6 removes it from the
// URI and from Host (http_scheme_based_normalize).
func defaultPortLen(scheme, authority []byte) int {
	i := bytes.LastIndexByte(authority, ':')
	if i < 0 || bytes.IndexByte(authority[i:], ']') >= 0 {
		return 0 // no port, or the colon is inside an IPv6 literal
	}
	port := authority[i+1:]
	switch {
	case len(port) == 0:
	case scheme == nil && (string(port) == "80" || string(port) == "443"):
		// CONNECT: HAProxy 2.6 drops either from Host.
	case EqualFold(scheme, "http") && string(port) == "80":
	case EqualFold(scheme, "https") && string(port) == "443":
	default:
		return 0
	}
	return len(authority) - i
}

// hostOf is an authority without its userinfo: what Host must equal.
func hostOf(authority []byte) []byte {
	if i := bytes.LastIndexByte(authority, '@'); i >= 0 {
		return authority[i+1:]
	}
	return authority
}

// equalFoldBytes compares two ASCII byte strings ignoring case.
func equalFoldBytes(a, b []byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if lower(a[i]) != lower(b[i]) {
			return false
		}
	}
	return true
}

// normalizeAuthority applies HAProxy's absolute-form rules once the head is
// parsed: the default port leaves the target (shifted in place; the freed
// bytes become spaces, which a re-parse skips) and Host, and Host must then
// name the same host as the URI. Duplicate Host headers were merged first.
func (r *Request) normalizeAuthority(lax bool) error {
	t := r.Target
	var scheme []byte // nil for CONNECT's authority form
	connect := string(r.Method) == "CONNECT"
	if !connect {
		scheme = t[:schemeLen(t)]
	}
	auth := r.Authority
	portDropped := false
	if n := defaultPortLen(scheme, auth); n > 0 && !connect {
		portDropped = true
		end := len(scheme) + 3 + len(auth) // index of the authority's end in t
		copy(t[end-n:], t[end:])
		for i := len(t) - n; i < len(t); i++ {
			t[i] = ' '
		}
		r.Target = t[:len(t)-n]
		r.Authority = auth[:len(auth)-n]
	}
	hi := r.hostIndex()
	if hi < 0 {
		return nil // HAProxy adds no Host: the authority stands alone
	}
	// Host and URI are compared without default ports. When the URI
	// carried its default port, HAProxy writes the URI's host into Host
	// (so "Host: T:80" becomes "t" for "http://t:80/"); otherwise Host
	// stays as sent ("Host: t:80" is kept for "http://t/x"), except that
	// CONNECT's Host loses a default port.
	h := &r.Headers[hi]
	host := h.Value[:len(h.Value)-defaultPortLen(scheme, h.Value)]
	want := hostOf(r.Authority)
	if connect {
		want = want[:len(want)-defaultPortLen(nil, want)] // the target keeps its port
	}
	same := equalFoldBytes(host, want)
	if !same && !lax {
		return badAt("absolute URI authority differs from Host", h.Value, StateLastLF)
	}
	// accept-invalid-http-request forwards a Host that differs as it
	// is, unless the URI's default port was dropped (observed).
	switch {
	case portDropped:
		h.Value = want
	case connect && same && !r.FromH2:
		h.Value = host
	}
	return nil
}

func (r *Request) hostIndex() int {
	for i, h := range r.Headers {
		if EqualFold(h.Name, "host") {
			return i
		}
	}
	return -1
}

// mergeHosts keeps one Host header: identical duplicates (ignoring case)
// are dropped, different ones are a 400, as in HAProxy 2.6.
func mergeHosts(hs []Header) ([]Header, error) {
	first := -1
	out := hs[:0]
	for i, h := range hs {
		if EqualFold(h.Name, "host") {
			if first >= 0 {
				if !equalFoldBytes(h.Value, out[first].Value) {
					return hs, badAt("different Host headers", h.Value, StateHdrL2LWS)
				}
				continue
			}
			first = len(out)
		}
		if len(out) == i {
			out = out[:i+1] // in its place already: no copy
		} else {
			out = append(out, hs[i])
		}
	}
	return out, nil
}

// bareAuthorityCheck is HAProxy 2.6's check of a target read as an
// absolute URI without a scheme (not CONNECT, not starting with '/' or
// '*', no "scheme://"): its authority, the bytes before the first '/'
// after any '@', must equal Host ignoring case when both are there and
// the authority is not empty. Without a scheme no default port is
// dropped, and the target is forwarded as it is.
func (r *Request) bareAuthorityCheck() error {
	t := r.Target
	if r.IsConnect() || len(t) == 0 || t[0] == '/' || t[0] == '*' || r.Authority != nil {
		return nil
	}
	auth := t
	if i := bytes.IndexByte(auth, '/'); i >= 0 {
		auth = auth[:i]
	}
	auth = hostOf(auth)
	hi := r.hostIndex()
	if hi < 0 || len(auth) == 0 || equalFoldBytes(auth, r.Headers[hi].Value) {
		return nil
	}
	return badAt("URI authority differs from Host", r.Headers[hi].Value, StateLastLF)
}
