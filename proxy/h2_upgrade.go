package proxy

import "github.com/goha-lb/goha/proxy/h2"

// HAProxy 2.6's implicit HTTP/2 upgrade: on any HTTP-mode bind (clear or
// TLS, whatever ALPN chose), a connection whose first request starts
// with the whole HTTP/2 client preface is served as HTTP/2 from there,
// by the same engine as `bind ... proto h2`, unless `option
// disable-h2-upgrade`. A request with the PRI method that is not served
// so (the option, a later request, or a preface cut after its first
// empty line) is refused by HAProxy's HTTP analyzer: a 400 through its
// HTX layer (lower-case names, the frontend's errorfile 400 if any), not
// the H1 parser's page, logged with its size, not captured for `show
// errors` (measured on 2.6.12). An `Upgrade: h2c` request header is
// not acted on: the request goes to the server as any other.

// upgradesH2 reports whether the buffered first bytes of a connection
// are the HTTP/2 preface and its frontend takes them as HTTP/2.
func (s *session) upgradesH2() bool {
	return s.stream == nil && !s.fe.cfg.DisableH2Upgrade && !s.sw.h1 &&
		s.end >= len(h2.Preface) && string(s.buf[:len(h2.Preface)]) == h2.Preface
}

// serveUpgradedH2 serves the connection as HTTP/2 from its buffered
// preface. The bytes read so far leave the frontend's HTTP/1 byte count:
// the streams count theirs, as on a `proto h2` bind.
func (s *session) serveUpgradedH2() {
	pre := append([]byte(nil), s.buf[:s.end]...)
	s.fe.stats.bytesIn.Add(-int64(s.end))
	s.end = 0
	s.dropBuf()
	s.info.req = nil
	s.countUpgradedStream() // switchmode.go
	s.serveH2(pre)
}

// refusePreface answers a PRI request as HAProxy's return_bad_req does:
// 400 with the frontend's errorfile or the built-in page as its HTX
// layer writes it, the connection closed, ereq counted, logged PR with
// no request line.
func (s *session) refusePreface() {
	page := []byte(ruleErrorPages[400])
	if own, ok := s.fe.errs[400]; ok {
		page = own
	}
	s.refused(true) // track.go
	s.fe.stats.countStatus(400)
	// The page's "Connection: close" field is counted (206 bytes logged,
	// measured): withConnection counts it.
	s.clientWriteMessage(s.withConnection(page, true, 1))
	s.tl.noRequest = true // a stream's line (bytes counted), no request line
	s.emitLog(nil, nil, 400, term('P', 'R'))
	s.drainAndShut()
}
