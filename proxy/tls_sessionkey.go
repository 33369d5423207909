package proxy

import (
	"crypto/tls"
	"encoding/hex"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// frontSessionKey is the master secret (TLS 1.2 and before) of a client connection
// (ssl_fc_session_key): the one crypto/tls logged for a full handshake
// (keys, TLSCapture.SessionKey makes the key log keep it), or the one in
// the ticket a resumed handshake showed in its ClientHello (hello). nil
// in TLS 1.3, where OpenSSL's session key is a resumption secret that
// crypto/tls does not expose (the configuration refuses the fetch on a
// bind that allows TLS 1.3).
func frontSessionKey(cfg *tls.Config, hello []byte, st *tls.ConnectionState, keys *tlsconf.Secrets) []byte {
	if st.Version >= tls.VersionTLS13 {
		return nil
	}
	if st.DidResume {
		return tlsconf.ResumedMaster(cfg, hello, st)
	}
	if keys == nil || keys.Master == "" {
		return nil
	}
	b, err := hex.DecodeString(keys.Master)
	if err != nil {
		return nil
	}
	return b
}

// frontFinished is, in TLS 1.3, the Finished's verify data HAProxy's
// ssl_fc_unique_id gives: the client's (in, the bytes it sent) on a full
// handshake, the server's own (out) on a resumed one, each opened with
// that side's handshake traffic secret from the key log (keys). nil in
// TLS 1.2, where crypto/tls's TLSUnique is the value.
func frontFinished(st *tls.ConnectionState, in, out []byte, keys *tlsconf.Secrets) []byte {
	if st.Version != tls.VersionTLS13 || keys == nil {
		return nil
	}
	if st.DidResume {
		return tlsconf.Finished13(out, st.CipherSuite, keys.ServerHandshake)
	}
	return tlsconf.Finished13(in, st.CipherSuite, keys.ClientHandshake)
}

// ServerSessionKey is the master secret of the TLS 1.2 connection to the
// server that sent the transaction's response (ssl_bc_session_key; nil:
// none yet, not over TLS, TLS 1.3, or not kept: Server.TLSKeys).
func (r *RequestInfo) ServerSessionKey() []byte {
	c := r.respConn
	if c == nil {
		return nil
	}
	if u, ok := c.h2.(*h2Upstream); ok {
		return u.sessionKey
	}
	return c.sessionKey
}

// ServerFinished is the Finished ssl_bc_unique_id gives of the
// connection to the server that sent the transaction's response (nil:
// none yet, not over TLS, or not kept: Server.TLSKeys).
func (r *RequestInfo) ServerFinished() []byte {
	c := r.respConn
	if c == nil {
		return nil
	}
	if u, ok := c.h2.(*h2Upstream); ok {
		return u.finished
	}
	return c.finished
}
