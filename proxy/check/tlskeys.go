package check

import (
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"sync"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// TLS facts a check's rules may read beyond crypto/tls's connection
// state, as OpenSSL gives them to HAProxy 2.6 (measured on 2.6.12:
// TestCheckTLSKeysMatchHAProxy):
//
//   - ssl_bc_session_id: OpenSSL names a session it got by a ticket
//     after the SHA-256 of that ticket. So it is the hash of the last
//     ticket the server sent on the connection (in TLS 1.2 during the
//     handshake, in TLS 1.3 after it, once a read took it in), else on
//     a resumed session the hash of the ticket offered, else in TLS 1.2
//     the ServerHello's session id; none when that is empty, and none
//     in TLS 1.3 before a ticket came.
//   - ssl_bc_session_key: the TLS 1.2 master secret (the key log's on a
//     full handshake, the session's offered on a resumed one); refused
//     on a server allowing TLS 1.3 (haproxycfg).
//   - ssl_bc_unique_id: the Finished HAProxy reads from the client
//     side, the server's on a full handshake and the check's own on a
//     resumed one, read off the handshake's records.

// TLSKeys says what a server's TLS checks keep of their handshakes for
// the fetches their rules read (nil: none of them).
type TLSKeys struct {
	SessionID, SessionKey, UniqueID bool

	log tlsconf.KeyLog
}

// Install makes cfg's handshakes log the secrets the fetches need here.
func (k *TLSKeys) Install(cfg *tls.Config) {
	if k == nil || !k.SessionKey && !k.UniqueID {
		return
	}
	k.log.Master, k.log.Handshake = true, k.UniqueID
	cfg.KeyLogWriter = &k.log
}

// sessionNote is what one check connection's session cache saw: the
// session it offered (the one resumed, if the server took it) and the
// last ticket the server sent.
type sessionNote struct {
	mu      sync.Mutex
	offered *tls.ClientSessionState
	ticket  []byte
	psk     []byte // the last TLS 1.3 ticket's resumption PSK
}

// noteCache is a connection's view of the server's session cache (nil:
// none, no-ssl-reuse) that notes what passes through it; without one
// it offers no session yet takes tickets, as OpenSSL does.
type noteCache struct {
	shared tls.ClientSessionCache
	n      *sessionNote
}

func (c noteCache) Get(key string) (*tls.ClientSessionState, bool) {
	if c.shared == nil {
		return nil, false
	}
	cs, ok := c.shared.Get(key)
	if ok && cs != nil {
		c.n.mu.Lock()
		c.n.offered = cs
		c.n.mu.Unlock()
	}
	return cs, ok
}

func (c noteCache) Put(key string, cs *tls.ClientSessionState) {
	if c.shared != nil {
		c.shared.Put(key, cs)
	}
	if t, _ := tlsconf.ClientSession(cs); len(t) > 0 {
		c.n.mu.Lock()
		c.n.ticket, c.n.psk = t, tlsconf.ClientSessionPSK(cs)
		c.n.mu.Unlock()
	}
}

// connConfig is the client configuration of one check connection:
// cfg itself, or with SessionID a copy whose cache notes in n.
func (k *TLSKeys) connConfig(cfg *tls.Config, n *sessionNote) *tls.Config {
	if k == nil || !k.SessionID && !k.SessionKey && !k.UniqueID {
		return cfg
	}
	c := cfg.Clone()
	c.ClientSessionCache = noteCache{shared: cfg.ClientSessionCache, n: n}
	return c
}

// tlsFacts are what a check connection kept of its handshake for the
// fetches of TLSKeys.
type tlsFacts struct {
	note              *sessionNote
	serverID          []byte // the ServerHello's session id
	master, finished  []byte
	version           uint16
	resumed, wantedID bool
}

// read fills f once tap's handshake is over.
func (k *TLSKeys) read(f *tlsFacts, st *tls.ConnectionState, tap *helloTap) {
	f.version, f.resumed, f.wantedID = st.Version, st.DidResume, k.SessionID
	f.serverID = tap.server.SessionID
	in, out := tap.in.Take(), tap.out.Take()
	if !k.SessionKey && !k.UniqueID {
		return
	}
	s := k.log.Take(tap.client.Random)
	if st.Version >= tls.VersionTLS13 {
		if !k.UniqueID || s == nil {
			return
		}
		if st.DidResume {
			f.finished = tlsconf.Finished13(out, st.CipherSuite, s.ClientHandshake)
		} else {
			f.finished = tlsconf.Finished13(in, st.CipherSuite, s.ServerHandshake)
		}
		return
	}
	var master []byte
	if st.DidResume {
		f.note.mu.Lock()
		_, master = tlsconf.ClientSession(f.note.offered)
		f.note.mu.Unlock()
	} else if s != nil && s.Master != "" {
		master, _ = hex.DecodeString(s.Master)
	}
	if k.UniqueID && master != nil {
		rnd := [2][]byte{tap.client.Random, tap.server.Random}
		if st.DidResume {
			f.finished = tlsconf.Finished12(out, st.Version, st.CipherSuite, master, rnd[0], rnd[1], false)
		} else {
			f.finished = tlsconf.Finished12(in, st.Version, st.CipherSuite, master, rnd[0], rnd[1], true)
		}
	}
	if k.SessionKey {
		f.master = master
	}
}

// sessionKey is OpenSSL's master key of the connection's session now
// (nil: none): in TLS 1.2 and before the master secret; in TLS 1.3 the
// resumption PSK of the last ticket the server sent, else of the session
// resumed, else none, as HAProxy 2.6.12's checks read it (measured:
// empty before the first ticket; TestCheckTLSKeysMatchHAProxy).
func (f *tlsFacts) sessionKey() []byte {
	if f.version < tls.VersionTLS13 {
		return f.master
	}
	f.note.mu.Lock()
	psk, offered := f.note.psk, f.note.offered
	f.note.mu.Unlock()
	if psk == nil && f.resumed {
		psk = tlsconf.ClientSessionPSK(offered)
	}
	return psk
}

// sessionID is OpenSSL's id of the connection's session now (nil: none).
func (f *tlsFacts) sessionID() []byte {
	f.note.mu.Lock()
	ticket, offered := f.note.ticket, f.note.offered
	f.note.mu.Unlock()
	if ticket == nil && f.resumed {
		ticket, _ = tlsconf.ClientSession(offered)
	}
	if len(ticket) > 0 {
		sum := sha256.Sum256(ticket)
		return sum[:]
	}
	if f.version < tls.VersionTLS13 && len(f.serverID) > 0 {
		return f.serverID
	}
	return nil
}
