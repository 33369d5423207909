package tlsconf

import (
	"crypto/tls"

	"golang.org/x/crypto/cryptobyte"
)

// ResumedMaster is the master secret (TLS 1.2 and before) of a session
// cfg's server resumed, as OpenSSL's SSL_SESSION_get_master_key gives
// it (ssl_fc_session_key): crypto/tls logs no key on a resumed
// handshake, so the ticket of hello (the ClientHello message, as
// HelloRandom keeps it) is decrypted again with cfg's keys, the ones the
// handshake used. nil when st is not a resumed session of TLS 1.2 or
// before, or the ticket does not open.
func ResumedMaster(cfg *tls.Config, hello []byte, st *tls.ConnectionState) []byte {
	if cfg == nil || st == nil || !st.DidResume || st.Version >= tls.VersionTLS13 {
		return nil
	}
	ticket := helloTicket(hello)
	if len(ticket) == 0 {
		return nil
	}
	decrypt := cfg.DecryptTicket
	if cfg.UnwrapSession != nil {
		decrypt = cfg.UnwrapSession // sealed with its own configuration's keys (lifetime.go)
	}
	ss, err := decrypt(ticket, *st)
	if ss == nil || err != nil {
		return nil
	}
	b, err := ss.Bytes()
	if err != nil {
		return nil
	}
	if len(b) < 2 || uint16(b[0])<<8|uint16(b[1]) != st.Version {
		return nil
	}
	return sessionSecret(b, true)
}

// helloTicket is the session_ticket extension of a ClientHello message
// (nil: none, or not a ClientHello).
func helloTicket(hello []byte) []byte {
	s := cryptobyte.String(hello)
	var typ uint8
	var body, sid, suites, comp, exts cryptobyte.String
	if !s.ReadUint8(&typ) || typ != 1 || !s.ReadUint24LengthPrefixed(&body) ||
		!body.Skip(2+32) || !body.ReadUint8LengthPrefixed(&sid) ||
		!body.ReadUint16LengthPrefixed(&suites) || !body.ReadUint8LengthPrefixed(&comp) ||
		!body.ReadUint16LengthPrefixed(&exts) {
		return nil
	}
	for !exts.Empty() {
		var id uint16
		var data cryptobyte.String
		if !exts.ReadUint16(&id) || !exts.ReadUint16LengthPrefixed(&data) {
			return nil
		}
		if id == 35 { // session_ticket
			return data
		}
	}
	return nil
}
