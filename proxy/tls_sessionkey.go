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
