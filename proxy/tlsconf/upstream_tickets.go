package tlsconf

import "crypto/tls"

// no-tls-tickets on a server line, as HAProxy 2.6.12 does it with
// OpenSSL (SSL_OP_NO_TICKET): no TLS 1.2 ticket is asked for, yet a
// TLS 1.3 session is still resumed from the tickets the server sends
// after the handshake (measured: TestServerTLSOptionsMatchHAProxy, the
// second connection resumed). crypto/tls's SessionTicketsDisabled turns
// off both, so on a server line that may negotiate TLS 1.3 tickets stay
// on and the session cache keeps TLS 1.3 sessions only.

// noTickets applies no-tls-tickets to cfg, whose highest version is hi
// (0: TLS 1.3).
func noTickets(cfg *tls.Config, hi uint16) {
	if hi != 0 && hi < tls.VersionTLS13 {
		cfg.SessionTicketsDisabled = true
		return
	}
	if cfg.ClientSessionCache != nil {
		cfg.ClientSessionCache = tls13Sessions{cfg.ClientSessionCache}
	}
}

// tls13Sessions is a client session cache that stores TLS 1.3 sessions
// only: a TLS 1.2 ticket is never offered again.
type tls13Sessions struct{ tls.ClientSessionCache }

func (c tls13Sessions) Put(key string, cs *tls.ClientSessionState) {
	if cs != nil && sessionVersion(cs) < tls.VersionTLS13 {
		return
	}
	c.ClientSessionCache.Put(key, cs)
}

// sessionVersion is the version of a session a client cache is given
// (its encoding starts with it: SessionState.Bytes); 0 when unknown.
func sessionVersion(cs *tls.ClientSessionState) uint16 {
	_, ss, err := cs.ResumptionState()
	if err != nil || ss == nil {
		return 0
	}
	b, err := ss.Bytes()
	if err != nil || len(b) < 2 {
		return 0
	}
	return uint16(b[0])<<8 | uint16(b[1])
}
