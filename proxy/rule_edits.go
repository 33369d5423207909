package proxy

import (
	"bytes"
	"unsafe"

	"github.com/goha-lb/goha/proxy/http1"
)

// The http-request rules run in order on the message as the rules before
// them left it, as HAProxy's do on its HTX message: a condition or a
// %[...] value of a later rule reads the headers an earlier set-header,
// add-header or del-header wrote or removed, and the server receives the
// list the last rule left. The edits go to a copy of the parsed header
// list owned by the session (taken at the first edit, so a request no
// rule edits costs nothing) whose names and values live in one arena
// reused from request to request, but for a rule's constants, which the
// list points at (editedHeaders.constant).

// editedHeaders is the header list the rules are editing.
type editedHeaders struct {
	list  []http1.Header
	arena []byte
	// names has the bit of each name in list (names_filter.go), and may
	// have more (a field removed leaves its bit): a set-header or
	// del-header whose bit is clear has nothing to remove and skips the
	// scan.
	names namesFilter
	// room follows the HTX buffer the fields take in HAProxy, for the
	// rewrites that find no room (htx_room.go, actions_strict.go).
	room htxLayout
}

// start begins editing hs: the list is a copy, the layout the parser's.
func (e *editedHeaders) start(hs []http1.Header) {
	e.arena = e.arena[:0]
	e.list = append(e.list[:0], hs...)
	e.names = namesOf(hs)
	e.room.reset(len(hs))
}

// beginRequest starts a request: no edit yet, no txn or req variable.
func (s *session) beginRequest() {
	s.info.endTransaction()
	s.beginRequestKeepVars()
}

// beginRequestKeepVars is beginRequest keeping the variables the
// connection's first content rules set (switchmode.go).
func (s *session) beginRequestKeepVars() {
	s.ck.capReq, s.ck.capRsp = "", "" // a request the rules answer captures none
	s.info.edited = false
	s.edits.arena = s.edits.arena[:0]
	s.softRewrite = false // each request starts in strict mode
}

// editable returns the header list to edit, copying the parsed one at the
// first edit of the request.
func (s *session) editable() []http1.Header {
	if !s.info.edited {
		s.edits.list = append(s.edits.list[:0], s.req.Headers...)
		s.edits.names = namesOf(s.req.Headers)
		s.edits.room.reset(len(s.req.Headers))
		s.info.edited = true
	}
	return s.edits.list
}

// keep copies v into the arena. A slice taken before the arena grows
// keeps pointing at the old array, which stays valid for this message.
func (e *editedHeaders) keep(v string) []byte {
	n := len(e.arena)
	e.arena = append(e.arena, v...)
	return e.arena[n:len(e.arena):len(e.arena)]
}

// constant is the bytes of a rule's constant (its value, its name in
// lower case) for the list, not copied: no field's bytes are ever
// written in place (a rewrite puts new bytes in the arena), and the
// slice's capacity ends with it, so that an append copies. An empty
// constant is kept as keep makes it.
func (e *editedHeaders) constant(v string) []byte {
	if v == "" {
		return e.keep(v)
	}
	return unsafe.Slice(unsafe.StringData(v), len(v))
}

// del removes every field named name (case-insensitive). A Connection
// field HAProxy's H1 parser consumed was never in its buffer.
func (e *editedHeaders) del(name string) {
	e.delNamed(name, ruleName{key: nameKey(name)})
}

// delNamed is del with the rule's lower-case name and bit made once (a
// frontend's or backend's rules: only the fields' names are folded
// then; lower "" folds name).
func (e *editedHeaders) delNamed(name string, n ruleName) {
	if !e.names.mayHave(n.key) {
		return // no field has that name: most set-header rules add one
	}
	lower := n.lower
	if lower == "" {
		lower = name // foldEqual folds both
	}
	first := 0 // the fields before the first named name stay where they are
	for first < len(e.list) && !foldEqual(e.list[first].Name, lower) {
		first++
	}
	if first == len(e.list) {
		return // most set-header rules name a field not there yet
	}
	out := e.list[:first]
	for _, h := range e.list[first:] {
		if !foldEqual(h.Name, lower) {
			out = append(out, h)
			continue
		}
		i := len(out) // its index among the fields left so far
		if http1.EqualFold(h.Name, "connection") && onlyHopTokens(h.Value) {
			e.room.drop(i)
		} else {
			e.room.remove(i, len(h.Name)+len(h.Value))
		}
	}
	clear(e.list[len(out):])
	e.list = out
}

// add appends the field name: value, the name in lower case as HAProxy
// writes it.
func (e *editedHeaders) add(name string, value []byte) {
	n := e.keep(name)
	http1.LowerInPlace(n)
	e.addKept(n, value, nameKey(n))
}

// addKept is add for a name already in the arena and in lower case, key
// its nameKey.
func (e *editedHeaders) addKept(n, value []byte, key uint64) {
	// The field's two slices are stored one by one: a Header built on
	// the stack and copied in 16-byte blocks waited on the 8-byte stores
	// it was built with (the processor cannot forward them).
	if len(e.list) < cap(e.list) {
		e.list = e.list[:len(e.list)+1]
	} else {
		e.list = append(e.list, http1.Header{})
	}
	h := &e.list[len(e.list)-1]
	h.Name, h.Value = n, value
	e.names.add(key)
	e.room.place(len(n) + len(value))
}

// apply runs a set-header, add-header or del-header rule whose condition
// held on the list. The value is computed first, on the message before
// the rule: `set-header x %[req.hdr(x)]-2` reads the field it replaces.
// fits, when set, says whether the new field has room; false is a failed
// rewrite: the field is not added.
func (e *editedHeaders) apply(r *HeaderRule, info *RequestInfo, fits func(name string, value []byte) bool) bool {
	if r.Action == DelHeader {
		e.del(r.Name)
		return true
	}
	v := e.value(r, info)
	if r.Action == SetHeader {
		e.del(r.Name)
	}
	if fits != nil && !fits(r.Name, v) {
		return false
	}
	e.add(r.Name, v)
	return true
}

// value is the value of a set-header or add-header rule r on the list as
// it is, in the arena (or the rule's constant).
func (e *editedHeaders) value(r *HeaderRule, info *RequestInfo) []byte {
	switch {
	case r.AppendFormat != nil:
		// Straight into the arena: the fields the samples read are
		// before its end, which the value only follows.
		n := len(e.arena)
		e.arena = r.AppendFormat(e.arena, info)
		return e.arena[n:len(e.arena):len(e.arena)]
	case r.Format != nil:
		return e.keep(r.Format(info))
	}
	return e.constant(r.Value)
}

// applyHeaderRule runs the header rule r of the request (n: its name in
// lower case and its key, from frontend.lowerNames or
// backend.lowerNames); false when its field had no room
// (actions_strict.go). It is apply with the session's fieldFits called
// directly and the name folded and hashed once.
func (s *session) applyHeaderRule(r *HeaderRule, n ruleName) bool {
	e := &s.edits
	s.info.hdrs = s.editable() // the value reads the list as it is now
	if r.Action == DelHeader {
		e.delNamed(r.Name, n)
		s.info.hdrs = e.list
		return true
	}
	v := e.value(r, &s.info)
	if r.Action == SetHeader {
		e.delNamed(r.Name, n)
	}
	ok := s.fieldFits(r.Name, v)
	switch {
	case !ok:
	case n.lower == "":
		e.add(r.Name, v) // (no lower-case name given)
	default:
		e.addKept(e.constant(n.lower), v, n.key)
	}
	s.info.hdrs = e.list
	return ok
}

// replaceHeaderRule runs a replace-header or replace-value rule of the
// request; false when a field found no room (rewrite_room.go). A Host
// field it changes becomes the authority of an absolute target, as
// HAProxy keeps the two in step.
func (s *session) replaceHeaderRule(r *HeaderRule) bool {
	s.info.hdrs = s.editable()
	host, ok := s.edits.replaceFields(r, &s.info, s.reqGrows)
	s.info.hdrs = s.edits.list
	if !host {
		return ok
	}
	if n := schemeLen(s.info.Target); n > 0 {
		src := append([]byte(nil), s.info.Target...)
		rest := src[n+3:]
		end := len(rest)
		if i := bytes.IndexByte(rest, '/'); i >= 0 {
			end = i
		}
		out := append(s.target[:0], src[:n+3]...)
		out = append(out, s.info.lastHeader("host")...)
		s.target = append(out, rest[end:]...)
		s.info.Target = s.target
	}
	return ok
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

// dynamicBackend is the backend a use_backend with a log-format name
// names for this request (nil: none), its name appended to a buffer the
// session keeps, so the lookup allocates nothing.
func (s *session) dynamicBackend(u *UseBackend) *backend {
	s.beName = u.Dynamic(s.beName[:0], &s.info)
	return s.p.backends[string(s.beName)]
}
