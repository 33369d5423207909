package tlsconf

import (
	"crypto/tls"
	"errors"
)

// ticketRing is one tls-ticket-keys file's keys, oldest first (the
// last three of the file), and the configurations that use them: the
// penultimate key encrypts, as HAProxy's tls_ticket_enc_index.
type ticketRing struct {
	id      int
	path    string
	keys    [][]byte
	configs []*tls.Config
}

// encryptFirst orders the ring's keys for crypto/tls: the encrypting
// (penultimate) one first.
func (g *ticketRing) encryptFirst() [][]byte {
	n := len(g.keys)
	out := [][]byte{g.keys[n-2]}
	for i, k := range g.keys {
		if i != n-2 {
			out = append(out, k)
		}
	}
	return out
}

// useTicketKeys gives cfg the keys of a tls-ticket-keys file and records
// it for `set ssl tls-key` (keys come encrypting one first, as
// Bind.TicketKeys). Called with r.mu held.
func (r *Registry) useTicketKeys(cfg *tls.Config, path string, keys [][]byte) {
	var g *ticketRing
	for _, x := range r.rings {
		if x.path == path {
			g = x
		}
	}
	if g == nil {
		// Back to file order: keys are [penultimate, others in order].
		ring := append([][]byte{}, keys[1:len(keys)-1]...)
		ring = append(ring, keys[0], keys[len(keys)-1])
		g = &ticketRing{id: len(r.rings), path: path, keys: ring}
		r.rings = append(r.rings, g)
	}
	g.configs = append(g.configs, cfg)
	cfg.SetSessionTicketKeys(TicketKeys(g.encryptFirst()))
}

// TicketFile is one tls-ticket-keys file as `show tls-keys` lists it.
type TicketFile struct {
	ID   int
	Path string
	Keys [][]byte // oldest first
}

// TicketFiles lists the tls-ticket-keys files in the order binds first
// used them.
func (r *Registry) TicketFiles() []TicketFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []TicketFile
	for _, g := range r.rings {
		out = append(out, TicketFile{ID: g.id, Path: g.path, Keys: append([][]byte(nil), g.keys...)})
	}
	return out
}

// Errors of SetTicketKey.
var (
	ErrNoTicketFile = errors.New("no such tls-ticket-keys file")
	ErrKeySize      = errors.New("wrong key size")
)

// SetTicketKey is `set ssl tls-key`: key becomes the newest key of the
// file, the oldest is dropped and the previous newest encrypts, for
// every bind using the file from its next handshake.
func (r *Registry) SetTicketKey(path string, key []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, g := range r.rings {
		if g.path != path {
			continue
		}
		if len(key) != len(g.keys[0]) {
			return ErrKeySize
		}
		g.keys = append(g.keys[1:len(g.keys):len(g.keys)], key)
		for _, c := range g.configs {
			c.SetSessionTicketKeys(TicketKeys(g.encryptFirst()))
		}
		// crt-list lines serve clones of their settings: remake them.
		for _, ck := range r.certs {
			rebuildStores(ck.insts)
		}
		return nil
	}
	return ErrNoTicketFile
}
