package proxy

import "net/netip"

// endTxnFacts drops what the transaction that just ended left in the
// session's request facts, once it is logged and before the connection
// waits for its next request: HAProxy frees the stream there, so a next
// request that fails before its own stream begins (a head the parser
// refuses, `timeout http-request`, a client gone mid-head) is logged
// with the session alone: no unique-id, no captures, no txn or req
// variable, no server, whatever the previous request had. A parked
// session gets the same from a fresh txn (session_txn.go); this one keeps
// its buffers (no allocation). The connection facts (connInfo) stay.
func (s *session) endTxnFacts() {
	i := &s.info
	i.endTransaction()
	i.uniqueID, i.uniqueIDDone = "", false
	i.server, i.srvConn, i.srvErr, i.lastRule = nil, nil, 0, nil
	i.srvTried, i.srvTriedFrom = netip.AddrPort{}, netip.AddrPort{}
	i.cache.reset()
	i.reqCaps.reset(s.fe.cfg.ReqCaptures)
	i.resCaps.reset(s.fe.cfg.ResCaptures)
	i.Method, i.Target, i.edited = nil, nil, false
	s.applet, s.appletBe = nil, nil
}
