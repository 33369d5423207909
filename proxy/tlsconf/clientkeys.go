package tlsconf

import (
	"crypto/tls"
	"encoding/hex"
	"sync"

	"golang.org/x/crypto/cryptobyte"
)

// ClientKeys keeps what a server's connections need for
// ssl_bc_session_key (SessionKey) and ssl_bc_unique_id (UniqueID): the
// TLS 1.2 master secrets, the key log's (full handshakes, by client
// random) and those of the sessions the client cache stores, by their
// ticket (a resumed handshake logs none: its ClientHello shows which
// ticket it resumed); with UniqueID the TLS 1.3 handshake secrets too.
// Install wires it into a client configuration.
type ClientKeys struct {
	SessionKey, UniqueID bool

	log KeyLog
	mu  sync.Mutex
	m   map[string][]byte // ticket -> master secret
}

// Install makes cfg's handshakes log their secrets here and wraps its
// session cache (nil: no resumption) to see the sessions it stores.
func (k *ClientKeys) Install(cfg *tls.Config) {
	k.log.Master, k.log.Handshake = true, k.UniqueID
	cfg.KeyLogWriter = &k.log
	if cfg.ClientSessionCache != nil {
		cfg.ClientSessionCache = &keyedCache{ClientSessionCache: cfg.ClientSessionCache, k: k}
	}
}

// Read gives, for a finished handshake, its master secret (TLS 1.2 and
// before; with SessionKey) and the Finished HAProxy's ssl_bc_unique_id
// reads (with UniqueID): the server's on a full handshake, the client's
// own on a resumed one (SSL_get_peer_finished, SSL_get_finished), read
// off the bytes each side sent (in from the server, out to it). randoms
// are the hellos', client's first; hello is the ClientHello message
// sent, whose ticket tells a resumed session's master secret.
func (k *ClientKeys) Read(st *tls.ConnectionState, randoms [2][]byte, hello, in, out []byte) (master, finished []byte) {
	if k == nil || st == nil {
		return nil, nil
	}
	s := k.log.Take(randoms[0])
	if st.Version >= tls.VersionTLS13 {
		if !k.UniqueID || s == nil {
			return nil, nil
		}
		if st.DidResume {
			return nil, Finished13(out, st.CipherSuite, s.ClientHandshake)
		}
		return nil, Finished13(in, st.CipherSuite, s.ServerHandshake)
	}
	if !st.DidResume {
		if s != nil && s.Master != "" {
			master, _ = hex.DecodeString(s.Master)
		}
	} else if t := helloTicket(hello); len(t) > 0 {
		k.mu.Lock()
		master = k.m[string(t)]
		k.mu.Unlock()
	}
	if k.UniqueID && master != nil {
		if st.DidResume {
			finished = Finished12(out, st.Version, st.CipherSuite, master, randoms[0], randoms[1], false)
		} else {
			finished = Finished12(in, st.Version, st.CipherSuite, master, randoms[0], randoms[1], true)
		}
	}
	if !k.SessionKey {
		master = nil
	}
	return master, finished
}

// keyedCache is a client session cache that notes the master secret of
// each TLS 1.2 session stored, by its ticket.
type keyedCache struct {
	tls.ClientSessionCache
	k *ClientKeys
}

func (c *keyedCache) Put(key string, cs *tls.ClientSessionState) {
	c.ClientSessionCache.Put(key, cs)
	ticket, secret := ClientSession(cs)
	if len(ticket) == 0 || secret == nil {
		return
	}
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	if c.k.m == nil || len(c.k.m) >= keyLogMax {
		c.k.m = map[string][]byte{}
	}
	c.k.m[string(ticket)] = secret
}

// ClientSession is the ticket of a session a client cache holds and,
// for TLS 1.2 and before, its master secret (nil: none).
func ClientSession(cs *tls.ClientSessionState) (ticket, master []byte) {
	if cs == nil {
		return nil, nil
	}
	ticket, ss, err := cs.ResumptionState()
	if err != nil || ss == nil || len(ticket) == 0 {
		return nil, nil
	}
	b, err := ss.Bytes()
	if err != nil {
		return ticket, nil
	}
	return ticket, sessionSecret(b, false)
}

// ClientSessionPSK is the resumption PSK of a TLS 1.3 session a client
// cache holds (nil: none, or not TLS 1.3): crypto/tls keeps it as the
// session's secret, as OpenSSL keeps it as the session's master key,
// HKDF-Expand-Label(resumption_master_secret, "resumption", ticket
// nonce) (RFC 8446 §4.6.1).
func ClientSessionPSK(cs *tls.ClientSessionState) []byte {
	if cs == nil {
		return nil
	}
	_, ss, err := cs.ResumptionState()
	if err != nil || ss == nil {
		return nil
	}
	b, err := ss.Bytes()
	if err != nil {
		return nil
	}
	s := cryptobyte.String(b)
	var version uint16
	var kind uint8
	var secret []byte
	if !s.ReadUint16(&version) || !s.ReadUint8(&kind) || !s.Skip(2+8) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&secret)) ||
		version < tls.VersionTLS13 || kind != 2 || len(secret) == 0 {
		return nil
	}
	return secret
}

// sessionSecret reads the master secret of a TLS 1.2 (or earlier)
// session in crypto/tls's encoding (SessionState.Bytes): version, type
// (1 server, 2 client), cipher suite, creation time, then the secret,
// length-prefixed. nil for TLS 1.3 or another type.
func sessionSecret(b []byte, server bool) []byte {
	s := cryptobyte.String(b)
	var version uint16
	var kind uint8
	var secret []byte
	want := uint8(2)
	if server {
		want = 1
	}
	if !s.ReadUint16(&version) || !s.ReadUint8(&kind) || !s.Skip(2+8) ||
		!s.ReadUint8LengthPrefixed((*cryptobyte.String)(&secret)) ||
		version >= tls.VersionTLS13 || kind != want || len(secret) != 48 {
		return nil
	}
	return secret
}
