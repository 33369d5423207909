package proxy

import "github.com/goha-lb/goha/proxy/http1"

// http-request strict-mode on|off and failed header rewrites (HAProxy 2.6
// HTTP_MSGF_SOFT_RW). HAProxy holds a message in an HTX buffer of
// tune.bufsize; a set-header or add-header whose field does not fit fails.
// In strict mode (the default, and after strict-mode on) the request is
// then answered 500 and logged PR with no request time; after
// strict-mode off the rule's field is left out (set-header's removal of
// the old fields stays) and the rules go on. Each request starts strict.

// StrictMode sets the request's strict mode: Status 1 is off, 0 on.
const StrictMode RuleAction = 1100

// htxRoom is an HTX buffer's room with the default tune.bufsize (16384
// less HAProxy 2.6's 48-byte struct htx), counted as htxHeadUse counts.
// Measured on 2.6.12, a small field added last fits exactly up to it; a
// field of about 8 KB that needs the buffer defragmented fails 18 bytes
// earlier in HAProxy, a difference goha keeps.
const htxRoom = 16336

// htxBlock is the size of an HTX block's header: each field, the start
// line and the end of the head take one besides their bytes.
const htxBlock = 8

// htxHeadUse is the room the request head takes in HAProxy's HTX buffer:
// its bytes as htxHeadSize counts them and one block per part (the
// Connection fields the H1 parser consumed take none). unused counts the
// blocks of fields removed before the last, which HAProxy leaves as
// unused blocks.
func htxHeadUse(method, target, version []byte, hs []http1.Header, unused int) int {
	n := int(htxHeadSize(method, target, version, hs)) + 2*htxBlock
	for _, h := range hs {
		if !(http1.EqualFold(h.Name, "connection") && onlyHopTokens(h.Value)) {
			n += htxBlock
		}
	}
	return n + unused*htxBlock
}

// fieldFits reports whether a field name: value still fits in the head.
func (s *session) fieldFits(name string, value []byte) bool {
	need := len(name) + len(value) + htxBlock
	if s.stream == nil {
		// The common case without counting: the HTTP/1 head as received
		// bounds its fields' bytes, the arena the added ones', and the
		// start line takes at most the target and htxStartLine more.
		bound := s.req.HeadLen + len(s.edits.arena) + len(s.info.Target) + htxStartLine +
			htxBlock*(len(s.edits.list)+2+s.edits.unused)
		if bound+need <= htxRoom {
			return true
		}
	}
	use := htxHeadUse(s.info.Method, s.info.Target, s.req.Version, s.edits.list, s.edits.unused)
	return use+need <= htxRoom
}

// failRewrite answers a request whose rewrite failed in strict mode: the
// frontend's 500 page, logged PR with TR -1, as HAProxy's
// return_fail_rewrite path. It returns whether the connection goes on.
func (s *session) failRewrite() bool {
	const status = 500
	page := s.errorPage(status, nil)
	forceClose := s.errorPageCloses(status, nil)
	s.countHTTPStatus(status, false)
	s.fe.stats.countStatus(status)
	s.tl.aborted = true
	next, closeConn := s.writeAnswer(page, forceClose)
	s.emitLog(nil, nil, status, term('P', 'R'))
	if !closeConn {
		s.start = next
		return true
	}
	s.drainAndShut()
	return false
}
