package proxy

import "github.com/goha-lb/goha/proxy/http1"

// The http-request rules run in order on the message as the rules before
// them left it, as HAProxy's do on its HTX message: a condition or a
// %[...] value of a later rule reads the headers an earlier set-header,
// add-header or del-header wrote or removed, and the server receives the
// list the last rule left. The edits go to a copy of the parsed header
// list owned by the session (taken at the first edit, so a request no
// rule edits costs nothing) whose names and values live in one arena
// reused from request to request.

// editedHeaders is the header list the rules are editing.
type editedHeaders struct {
	list  []http1.Header
	arena []byte
}

// beginRequest starts a request: no edit yet, no txn or req variable.
func (s *session) beginRequest() {
	s.info.endTransaction()
	s.info.edited = false
	s.edits.arena = s.edits.arena[:0]
}

// editable returns the header list to edit, copying the parsed one at the
// first edit of the request.
func (s *session) editable() []http1.Header {
	if !s.info.edited {
		s.edits.list = append(s.edits.list[:0], s.req.Headers...)
		s.info.edited = true
	}
	return s.edits.list
}

// keepString copies v into the arena. A slice taken before the arena
// grows keeps pointing at the old array, which stays valid for this
// request.
func (s *session) keepString(v string) []byte {
	n := len(s.edits.arena)
	s.edits.arena = append(s.edits.arena, v...)
	return s.edits.arena[n:len(s.edits.arena):len(s.edits.arena)]
}

// delHeader removes every field named name (case-insensitive).
func (s *session) delHeader(name string) {
	hs := s.editable()
	out := hs[:0]
	for _, h := range hs {
		if !foldEqual(h.Name, name) {
			out = append(out, h)
		}
	}
	clear(hs[len(out):])
	s.edits.list = out
	s.info.hdrs = out
}

// addHeader appends the field name: value, the name in lower case as
// HAProxy writes it.
func (s *session) addHeader(name string, value []byte) {
	hs := s.editable()
	n := s.keepString(name)
	http1.LowerInPlace(n)
	s.edits.list = append(hs, http1.Header{Name: n, Value: value})
	s.info.hdrs = s.edits.list
}

// applyHeaderRule runs a set-header, add-header or del-header rule whose
// condition held. The value is computed first, on the message before the
// rule: `set-header x %[req.hdr(x)]-2` reads the field it replaces.
func (s *session) applyHeaderRule(r *HeaderRule) {
	if r.Action == DelHeader {
		s.delHeader(r.Name)
		return
	}
	var v []byte
	if r.Format != nil {
		v = s.keepString(r.Format(&s.info))
	} else {
		v = s.keepString(r.Value)
	}
	if r.Action == SetHeader {
		s.delHeader(r.Name)
	}
	s.addHeader(r.Name, v)
}

// lastHeader is the value of the last field named name in the list the
// rules left, or nil.
func (r *RequestInfo) lastHeader(name string) []byte {
	var v []byte
	for _, h := range r.Headers() {
		if foldEqual(h.Name, name) {
			v = h.Value
			if v == nil {
				v = []byte{}
			}
		}
	}
	return v
}

// foldEqual compares a header name with a rule's, both case-insensitive
// (a rule keeps the name as written in the configuration).
func foldEqual(a []byte, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range len(a) {
		x, y := a[i], b[i]
		if x >= 'A' && x <= 'Z' {
			x += 'a' - 'A'
		}
		if y >= 'A' && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
