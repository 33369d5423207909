package proxy

import (
	"bytes"
	"sort"
)

// NormalizeURI is http-request normalize-uri <normalizer>, Name holding
// the normalizer and its option as written ("path-strip-dotdot full",
// "percent-to-uppercase strict", ...).
const NormalizeURI RuleAction = 700

// normalizeURI rewrites the request target as the rule's normalizer does.
// It reports false when a strict normalizer found an invalid percent
// sequence: HAProxy then answers 400 (ACT_RET_INV).
func (s *session) normalizeURI(r *HeaderRule) bool {
	src := s.info.Target
	if len(src) > 0 && len(s.target) > 0 && &src[0] == &s.target[0] {
		src = append([]byte(nil), src...) // a second rewrite: its source is s.target
	}
	out, ok := normalizeTarget(s.target[:0], src, r.Name)
	if !ok {
		return false
	}
	s.target = out
	s.info.Target = s.target
	return true
}

// answerInvalidURI answers the request a strict normalizer refused as
// HAProxy's return_bad_req does: 400 with the frontend's errorfile or the
// built-in page as its HTX layer writes it, the connection closed, ereq
// counted, logged PR.
func (s *session) answerInvalidURI() bool {
	page, closes := []byte(ruleErrorPages[400]), true
	if own, ok := s.fe.errs[400]; ok {
		page, closes = own, s.fe.cfg.ErrorPageCloses[400]
	}
	s.fe.stats.reqErrors.Add(1)
	s.fe.stats.countStatus(400)
	s.countHTTPStatus(400, false)
	next, closeConn := s.writeAnswer(page, closes)
	s.emitLog(nil, nil, 400, term('P', 'R'))
	if !closeConn {
		s.start = next
		return true
	}
	return false
}

// normalizeTarget appends to dst the target with normalizer applied, as
// HAProxy 2.6's http_action_normalize_uri does: the path-* normalizers
// rewrite the path before any '?', query-sort-by-name the query, and the
// percent-* and fragment-* ones the path with its query; a scheme and
// authority stay as they are. ok is false for an invalid percent
// sequence under strict.
func normalizeTarget(dst, target []byte, normalizer string) (out []byte, ok bool) {
	start := pathStart(target)
	dst = append(dst, target[:start]...)
	uri := target[start:]
	path, query := uri, []byte(nil)
	if i := bytes.IndexByte(uri, '?'); i >= 0 {
		path, query = uri[:i], uri[i:]
	}
	switch normalizer {
	case "path-merge-slashes":
		return append(mergeSlashes(dst, path), query...), true
	case "path-strip-dot":
		return append(stripDot(dst, path), query...), true
	case "path-strip-dotdot", "path-strip-dotdot full":
		return append(stripDotDot(dst, path, normalizer != "path-strip-dotdot"), query...), true
	case "query-sort-by-name":
		return sortQuery(append(dst, path...), query), true
	case "percent-to-uppercase", "percent-to-uppercase strict":
		return percentUpper(dst, uri, normalizer != "percent-to-uppercase")
	case "percent-decode-unreserved", "percent-decode-unreserved strict":
		return percentDecodeUnreserved(dst, uri, normalizer != "percent-decode-unreserved")
	case "fragment-strip":
		if i := bytes.IndexByte(uri, '#'); i >= 0 {
			uri = uri[:i]
		}
	case "fragment-encode":
		for {
			i := bytes.IndexByte(uri, '#')
			if i < 0 {
				break
			}
			dst = append(append(dst, uri[:i]...), "%23"...)
			uri = uri[i+1:]
		}
	}
	return append(dst, uri...), true
}

// mergeSlashes appends path with each run of slashes made one.
func mergeSlashes(dst, path []byte) []byte {
	for i, c := range path {
		if c == '/' && i > 0 && path[i-1] == '/' {
			continue
		}
		dst = append(dst, c)
	}
	return dst
}

// stripDot appends path without its "." segments; a slash follows each
// kept segment that one ended.
func stripDot(dst, path []byte) []byte {
	for len(path) > 0 {
		seg, rest, slash := bytes.Cut(path, []byte("/"))
		path = rest
		if string(seg) == "." {
			continue
		}
		dst = append(dst, seg...)
		if slash {
			dst = append(dst, '/')
		}
	}
	return dst
}

// stripDotDot appends path with each "/../" merged with the segment
// before it, walking from the end as HAProxy does. The "/.." left over
// at the start are kept, unless full.
func stripDotDot(dst, path []byte, full bool) []byte {
	out := make([]byte, len(path)) // filled from its end
	head := len(out)
	off, up := len(path)-1, 0
	if off >= 2 && bytes.HasPrefix(path[off-2:], []byte("/..")) {
		up++
		off -= 2
	}
	for off >= 0 {
		if off >= 3 && bytes.HasPrefix(path[off-3:], []byte("/../")) {
			up++
			off -= 3
			continue
		}
		if up > 0 {
			off-- // the slash
			if off >= 0 {
				up--
				for off >= 0 && path[off] != '/' {
					off--
				}
			}
			continue
		}
		head--
		out[head] = path[off]
		off--
		for off >= 0 && path[off] != '/' {
			head--
			out[head] = path[off]
			off--
		}
	}
	if up > 0 {
		prefix := []byte("/")
		if !full {
			prefix = append(bytes.Repeat([]byte("/.."), up), '/')
		}
		dst = append(dst, prefix...)
	}
	return append(dst, out[head:]...)
}

// sortQuery appends query ("?..." or empty) with its '&'-separated
// parameters sorted by name (the bytes before '='), stable; an empty last
// parameter is dropped, as HAProxy's split does.
func sortQuery(dst, query []byte) []byte {
	if len(query) == 0 {
		return dst
	}
	var params [][]byte
	for rest := query[1:]; len(rest) > 0; {
		var p []byte
		p, rest, _ = bytes.Cut(rest, []byte("&"))
		params = append(params, p)
	}
	name := func(p []byte) []byte {
		if i := bytes.IndexByte(p, '='); i >= 0 {
			return p[:i]
		}
		return p
	}
	sort.SliceStable(params, func(i, j int) bool { return bytes.Compare(name(params[i]), name(params[j])) < 0 })
	dst = append(dst, '?')
	for i, p := range params {
		if i > 0 {
			dst = append(dst, '&')
		}
		dst = append(dst, p...)
	}
	return dst
}

// percentUpper appends uri with the hex digits of each %XX in upper case.
func percentUpper(dst, uri []byte, strict bool) ([]byte, bool) {
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if c == '%' {
			if i+2 < len(uri) && isHex(uri[i+1]) && isHex(uri[i+2]) {
				dst = append(dst, '%', upperHex(uri[i+1]), upperHex(uri[i+2]))
				i += 2
				continue
			}
			if strict {
				return dst, false
			}
		}
		dst = append(dst, c)
	}
	return dst, true
}

// percentDecodeUnreserved appends uri with each %XX that encodes an
// RFC 3986 unreserved character decoded.
func percentDecodeUnreserved(dst, uri []byte, strict bool) ([]byte, bool) {
	for i := 0; i < len(uri); i++ {
		c := uri[i]
		if c == '%' {
			if i+2 < len(uri) && isHex(uri[i+1]) && isHex(uri[i+2]) {
				if d := unhex(uri[i+1])<<4 | unhex(uri[i+2]); isUnreserved(d) {
					dst = append(dst, d)
				} else {
					dst = append(dst, uri[i:i+3]...)
				}
				i += 2
				continue
			}
			if strict {
				return dst, false
			}
		}
		dst = append(dst, c)
	}
	return dst, true
}

func isUnreserved(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~'
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	return c - 'A' + 10
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}
