package tlsconf

import (
	"crypto/tls"
	"encoding/hex"
	"sync"

	"golang.org/x/crypto/cryptobyte"
)

// ClientKeys keeps the TLS 1.2 master secrets of a server's connections
// for ssl_bc_session_key: the key log's (full handshakes, by client
// random), and those of the sessions the client cache stores, by their
// ticket (a resumed handshake logs none: its ClientHello shows which
// ticket it resumed). Install wires it into a client configuration.
type ClientKeys struct {
	log KeyLog
	mu  sync.Mutex
	m   map[string][]byte // ticket -> master secret
}

// Install makes cfg's handshakes log their master secret here and wraps
// its session cache (nil: no resumption) to see the sessions it stores.
func (k *ClientKeys) Install(cfg *tls.Config) {
	k.log.Master = true
	cfg.KeyLogWriter = &k.log
	if cfg.ClientSessionCache != nil {
		cfg.ClientSessionCache = &keyedCache{ClientSessionCache: cfg.ClientSessionCache, k: k}
	}
}

// Master is the master secret of a finished TLS 1.2 (or earlier)
// handshake: the logged one of a full handshake (random is the
// client's), or the one of the session whose ticket hello (the
// ClientHello message sent) offered on a resumed one. nil in TLS 1.3.
func (k *ClientKeys) Master(st *tls.ConnectionState, random, hello []byte) []byte {
	if k == nil || st == nil {
		return nil
	}
	s := k.log.Take(random)
	if st.Version >= tls.VersionTLS13 {
		return nil
	}
	if !st.DidResume {
		if s == nil || s.Master == "" {
			return nil
		}
		b, err := hex.DecodeString(s.Master)
		if err != nil {
			return nil
		}
		return b
	}
	t := helloTicket(hello)
	if len(t) == 0 {
		return nil
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.m[string(t)]
}

// keyedCache is a client session cache that notes the master secret of
// each TLS 1.2 session stored, by its ticket.
type keyedCache struct {
	tls.ClientSessionCache
	k *ClientKeys
}

func (c *keyedCache) Put(key string, cs *tls.ClientSessionState) {
	c.ClientSessionCache.Put(key, cs)
	if cs == nil {
		return
	}
	ticket, ss, err := cs.ResumptionState()
	if err != nil || ss == nil || len(ticket) == 0 {
		return
	}
	b, err := ss.Bytes()
	if err != nil {
		return
	}
	secret := sessionSecret(b, false)
	if secret == nil {
		return
	}
	c.k.mu.Lock()
	defer c.k.mu.Unlock()
	if c.k.m == nil || len(c.k.m) >= keyLogMax {
		c.k.m = map[string][]byte{}
	}
	c.k.m[string(ticket)] = secret
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
