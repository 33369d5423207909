package proxy

import "bytes"

// TargetPart is the part of the request target a SetTarget rule replaces.
type TargetPart uint8

const (
	PartPath  TargetPart = iota // the path, the query kept (replace-path)
	PartPathQ                   // the path and the query (set-pathq, replace-pathq)
	PartQuery                   // the query (set-query)
	PartURI                     // the whole target (set-uri, replace-uri)
)

// rewriteTarget runs a SetTarget rule on the request as the rules before
// it left it. A replace-* rule whose regex does not match, or a
// replace-path(q) on a target without a path, changes nothing. It
// returns false when the new start line found no room (rewrite_room.go):
// the target is left as it was.
func (s *session) rewriteTarget(r *HeaderRule) bool {
	src := s.info.Target
	aliased := len(src) > 0 && len(s.target) > 0 && &src[0] == &s.target[0]
	if aliased {
		src = append([]byte(nil), src...) // an earlier rewrite's: s.target is rebuilt below
	}
	start := pathStart(src)
	hasPath := start < len(src) && src[start] == '/'
	var subject []byte
	switch r.Part {
	case PartPath:
		subject = src[start:]
		if q := bytes.IndexByte(subject, '?'); q >= 0 {
			subject = subject[:q]
		}
	case PartPathQ:
		subject = src[start:]
	case PartURI:
		subject = src
	}
	var v string
	if r.Regex != nil {
		if (r.Part == PartPath || r.Part == PartPathQ) && !hasPath {
			return true
		}
		var ok bool
		if v, ok = r.rewrite(&s.info, subject); !ok {
			return true
		}
	} else {
		v = r.value(&s.info)
	}
	s.target = replaceTarget(s.target[:0], src, r.Part, v)
	if !s.reqGrows(len(s.target) - len(src)) {
		if aliased {
			s.target = append(s.target[:0], src...)
			s.info.Target = s.target
		}
		return false
	}
	s.info.Target = s.target
	if r.Part == PartURI {
		if host, ok := targetAuthority(s.target); ok {
			s.setHost(host)
		}
	}
	return true
}

// replaceTarget appends to dst the target with its part replaced by v, as
// HAProxy 2.6 rewrites it (measured): set-query replaces what follows the
// '?' and adds "?v" to a target without one unless v is empty; set-pathq
// on a target without a path ("*", "http://h") replaces all of it.
func replaceTarget(dst, target []byte, part TargetPart, v string) []byte {
	start := pathStart(target)
	switch part {
	case PartURI:
		return append(dst, v...)
	case PartQuery:
		if q := bytes.IndexByte(target[start:], '?'); q >= 0 {
			dst = append(dst, target[:start+q+1]...)
			return append(dst, v...)
		}
		dst = append(dst, target...)
		if v != "" {
			dst = append(append(dst, '?'), v...)
		}
		return dst
	case PartPathQ:
		if start < len(target) && target[start] == '/' {
			dst = append(dst, target[:start]...)
		}
		return append(dst, v...)
	}
	return setPath(dst, target, v)
}

// targetAuthority is the authority HAProxy copies into the Host header
// after set-uri or replace-uri: none for an origin-form target ("/..."
// or "*") or an empty one; after "scheme://" for an absolute URI;
// otherwise, as for an authority-form target, what comes before the
// first '/' (measured: "abc" and even "?-/" become the Host).
func targetAuthority(t []byte) ([]byte, bool) {
	if len(t) == 0 || t[0] == '/' || t[0] == '*' {
		return nil, false
	}
	rest := t
	if n := schemeLen(t); n > 0 {
		rest = t[n+3:]
	}
	if i := bytes.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest, true
}

// schemeLen is the length of the scheme of an absolute URI (a letter,
// then letters, digits, '+', '-' or '.', then "://"), or 0.
func schemeLen(t []byte) int {
	if len(t) == 0 || !isAlpha(t[0]) {
		return 0
	}
	i := 1
	for i < len(t) && (isAlpha(t[i]) || (t[i] >= '0' && t[i] <= '9') || t[i] == '+' || t[i] == '-' || t[i] == '.') {
		i++
	}
	if !bytes.HasPrefix(t[i:], []byte("://")) {
		return 0
	}
	return i
}

func isAlpha(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// setHost gives the request's Host fields the value host.
func (s *session) setHost(host []byte) {
	list := s.editable()
	v := s.edits.keep(string(host))
	for i := range list {
		if foldEqual(list[i].Name, "host") {
			list[i].Value = v
		}
	}
	s.info.hdrs = list
}
