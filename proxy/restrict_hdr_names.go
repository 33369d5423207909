package proxy

// HdrNamePolicy is `option http-restrict-req-hdr-names`: what becomes of
// a request field whose name holds a byte other than an ASCII letter, a
// digit or '-' (X_Forwarded_For reads as X-Forwarded-For to a FastCGI
// or CGI server, which would let it pass rules written for the other).
type HdrNamePolicy uint8

const (
	HdrNamesPreserve HdrNamePolicy = iota // HAProxy's default: nothing
	HdrNamesDelete                        // such fields are removed
	HdrNamesReject                        // the request is denied (403)
)

// restrictedName reports whether a field name holds a byte other than an
// ASCII letter, digit or '-'.
func restrictedName(name []byte) bool {
	for _, c := range name {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
			return true
		}
	}
	return false
}

// restrictHdrNames applies a proxy's policy to the request as its rules
// left it, as HAProxy does after each proxy's http-request rules (and
// before its stats page and redirect rules, measured on 2.6.12): delete
// removes the fields, so the fetches and the server after it see none;
// reject reports true, and the request is denied as an http-request deny
// would deny it. A Connection field the H1 parser consumed is no field.
func (s *session) restrictHdrNames(p HdrNamePolicy) (reject bool) {
	if p == HdrNamesPreserve {
		return false
	}
	hs := s.req.Headers
	if s.info.edited {
		hs = s.edits.list
	}
	found := false
	for _, h := range hs {
		if restrictedName(h.Name) {
			found = true
			break
		}
	}
	if !found {
		return false
	}
	if p == HdrNamesReject {
		return true
	}
	s.editable()
	s.edits.delIf(restrictedName)
	s.info.hdrs = s.edits.list
	return false
}

// delIf removes every field whose name bad reports, as del does (bad
// never names Connection here, whose name is all letters).
func (e *editedHeaders) delIf(bad func(name []byte) bool) {
	out := e.list[:0]
	for _, h := range e.list {
		if !bad(h.Name) {
			out = append(out, h)
			continue
		}
		e.room.remove(len(out), len(h.Name)+len(h.Value))
	}
	clear(e.list[len(out):])
	e.list = out
}

// denyHdrNames answers a request http-restrict-req-hdr-names reject
// refused: HAProxy takes its http-request deny path (403, denied_req,
// PR--).
var denyHdrNames = HeaderRule{Action: Deny}

// restrictBackendHdrNames applies a backend's policy once the request is
// routed to it; true when it answered the request (keep says whether
// the connection may carry another). A listen section's backend is its
// frontend, whose policy already ran.
func (s *session) restrictBackendHdrNames(be *backend) (answered, keep bool) {
	p := be.cfg.RestrictHdrNames
	if p == HdrNamesPreserve || (s.fe.cfg.Listen && be.cfg.Name == s.fe.cfg.Name) || !s.restrictHdrNames(p) {
		return false, false
	}
	return true, s.answerRuleOf(&denyHdrNames, be) // counted in be's dreq too
}
