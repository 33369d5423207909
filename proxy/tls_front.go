package proxy

import (
	"github.com/goha-lb/goha/proxy/clienthello"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLSCapture is what a frontend's TLS binds keep of each handshake for
// the fetches that read it (global settings, the same for every
// frontend).
type TLSCapture struct {
	// HelloCapture is tune.ssl.capture-buffer-size: with a size, the
	// ClientHello's lists are kept, each cut to what is left of a buffer
	// of that size (ssl_fc_cipherlist_*, ssl_fc_extlist_bin, ...); 0
	// keeps nothing and those fetches have no value, as in HAProxy.
	HelloCapture int
	// KeyLog is set with tune.ssl.keylog on: the binds' handshakes log
	// their secrets there, each session takes its own (FrontKeys).
	KeyLog *tlsconf.KeyLog
	// SessionKey is set when a rule or format reads ssl_fc_session_key:
	// each TLS 1.2 handshake keeps its master secret (FrontSessionKey),
	// from KeyLog (full handshakes, KeyLog.Master) or from the ticket it
	// resumed.
	SessionKey bool
	// TLSUniqueID is set when a rule or format reads ssl_fc_unique_id: each
	// TLS 1.3 handshake keeps its records and handshake secrets (KeyLog,
	// KeyLog.Handshake) to read the Finished HAProxy gives
	// (FrontFinished).
	TLSUniqueID bool
}

// FrontTLS is what the handshake of a client connection a bind
// terminated showed.
type FrontTLS struct {
	// FrontRandoms: its TLS hellos' randoms, client's then server's.
	FrontRandoms [2][]byte
	// FrontHello is the capture of its ClientHello (nil: none, without
	// tune.ssl.capture-buffer-size).
	FrontHello *clienthello.Capture
	// FrontKeys are its TLS 1.3 secrets (nil: tune.ssl.keylog off, or
	// none logged).
	FrontKeys *tlsconf.Secrets
	// FrontSessionKey is its TLS 1.2 master secret (nil: not kept, see
	// TLSCapture.SessionKey, or TLS 1.3).
	FrontSessionKey []byte
	// FrontFinished is, in TLS 1.3, the verify data of the client's
	// Finished, or of the server's on a resumed session, as OpenSSL's
	// SSL_get_peer_finished/SSL_get_finished give them to
	// ssl_fc_unique_id (nil: not kept, see TLSCapture.TLSUniqueID).
	FrontFinished []byte
}
