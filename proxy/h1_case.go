package proxy

import "bytes"

// h1-case-adjust: under `option h1-case-adjust-bogus-client` (frontend)
// every header name goha writes to an HTTP/1 client, and under `option
// h1-case-adjust-bogus-server` (backend) every one it writes to an
// HTTP/1 server, health checks included, takes the case the global
// h1-case-adjust(-file) pairs give it, as HAProxy 2.6's H1 mux does on
// output: the message's fields, the ones the mux adds (connection),
// chunked trailers, and the pages HAProxy builds through HTX (403, 503,
// redirects, returns, the HTX 400 of a PRI request), not the pages its
// H1 parser writes itself (the 400/408/413 of a refused head). HTTP/2
// clients and servers are untouched. A pair maps a lower-case name to a
// name of the same length (the parser checked), so names are rewritten
// in place.

// caseMap is Config.H1CaseAdjust.
type caseMap map[string]string

// adjustFields rewrites the names of the header fields of msg (a start
// line, its field lines, the empty line, and maybe a body that is left
// alone) that m names. A shared msg is copied before its first change.
func (m caseMap) adjustFields(msg []byte, shared bool) []byte {
	if len(m) == 0 {
		return msg
	}
	p := bytes.IndexByte(msg, '\n') + 1 // past the start line
	if p == 0 {
		return msg
	}
	for p < len(msg) {
		e := bytes.IndexByte(msg[p:], '\n')
		if e < 0 {
			e = len(msg) - p
		}
		line := msg[p : p+e]
		if len(line) == 0 || len(line) == 1 && line[0] == '\r' {
			break // the end of the head
		}
		if c := bytes.IndexByte(line, ':'); c > 0 {
			if to, ok := m[string(line[:c])]; ok && string(line[:c]) != to {
				if shared {
					msg, shared = append([]byte(nil), msg...), false
				}
				copy(msg[p:p+c], to)
			}
		}
		p += e + 1
	}
	return msg
}

// clientCase is what adjusts the names sent to this session's client
// (nil: nothing).
func (s *session) clientCase() caseMap {
	if s.stream != nil || !s.fe.cfg.H1CaseAdjustClient {
		return nil
	}
	return s.p.cfg.H1CaseAdjust
}

// serverCase is what adjusts the names sent to the exchange's server
// (nil: nothing).
func (x *exchange) serverCase() caseMap {
	if !x.be.cfg.H1CaseAdjustServer || x.h2Server() {
		return nil
	}
	return x.s.p.cfg.H1CaseAdjust
}
