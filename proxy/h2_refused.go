package proxy

import "time"

// An HTTP/2 request whose head the H2 mux refuses (malformed or missing
// pseudo-fields, a connection-specific field, an upper-case name, a URI
// with a blank, a bad content-length, ...) is reset with PROTOCOL_ERROR
// by HAProxy 2.6, which logs it with its session: no stream, no
// transaction (status 0, "<BADREQ>", PR--, timers -1 but %Ta), counted
// in neither req_tot nor ereq (measured on 2.6.12,
// TestH2RefusedRequestLogMatchesHAProxy).

// logRefusedStream logs such a stream of s's connection. It runs on the
// connection's reading goroutine, with a session of its own that reads
// only what s set up before serving.
func (s *session) logRefusedStream() {
	if !s.fe.logs {
		return
	}
	now := time.Now()
	ls := &session{txn: new(txn), p: s.p, fe: s.fe, bind: s.bind, tlsState: s.tlsState, accepted: now,
		src: s.src, dst: s.dst, connSrc: s.connSrc, connDst: s.connDst, parkedFD: -1}
	ls.info.Src, ls.info.Dst, ls.info.ListenerID = s.src, s.dst, s.bind.id
	ls.info.Frontend = ProxyRef{s.fe.cfg.Name, s.fe.cfg.ID}
	ls.info.Backend = ls.info.Frontend
	ls.info.px = s.p
	ls.info.TLS, ls.info.SSLFront = s.info.TLS, s.info.SSLFront
	ls.info.FrontCert, ls.info.FrontTLS = s.info.FrontCert, s.info.FrontTLS
	ls.tl = timeline{start: now, firstByte: now, noTxn: true}
	ls.reqID = reqCounter.Add(1) - 1
	ls.emitSessLog(0, term('P', 'R'))
}
