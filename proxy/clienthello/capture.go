package clienthello

import "github.com/cespare/xxhash/v2"

// Capture is what HAProxy 2.6 keeps of a terminated connection's
// ClientHello when tune.ssl.capture-buffer-size is set (the
// ssl_fc_cipherlist_*, ssl_fc_extlist_bin, ssl_fc_eclist_bin,
// ssl_fc_ecformats_bin and ssl_fc_protocol_hello_id fetches): the cipher
// list, the extension types, the supported groups and the point formats,
// each cut to what is left of one buffer of that size, filled in that
// order.
type Capture struct {
	// Version is the hello's legacy_version (0x0303 for TLS 1.2 and 1.3).
	Version int
	// CipherHash is the xxh64 (seed 0) of the whole cipher list.
	CipherHash uint64
	Ciphers    []byte // the cipher suites, 2 bytes each
	Extensions []byte // the extension types, 2 bytes each, in order
	Groups     []byte // the supported_groups list
	Formats    []byte // the ec_point_formats list
}

// ParseCapture reads a ClientHello handshake message (its 4-byte header
// included) as HAProxy 2.6's ssl_sock_parse_clienthello does, with its
// limits: nil when HAProxy keeps nothing (no whole message, or a cipher
// list that overruns it); a capture without extensions when what follows
// the cipher list does not parse. The extension walk stops when fewer
// than 5 bytes are left, so a last extension with no data is not
// listed, as in HAProxy.
func ParseCapture(msg []byte, size int) *Capture {
	if size <= 0 || len(msg) < 4 || msg[0] != 1 {
		return nil
	}
	n := int(msg[1])<<16 | int(msg[2])<<8 | int(msg[3])
	if len(msg) < 4+n {
		return nil
	}
	b := msg[4 : 4+n]
	if len(b) < 2 {
		return nil
	}
	c := &Capture{Version: u16(b)}
	p := 2 + 32
	if p >= len(b) {
		return nil
	}
	p += 1 + int(b[p]) // session id
	if p+2 > len(b) {
		return nil
	}
	cl := u16(b[p:])
	p += 2
	if p+cl > len(b) {
		return nil
	}
	ciphers := b[p : p+cl]
	c.CipherHash = xxhash.Sum64(ciphers)
	c.Ciphers = clone(ciphers[:min(size, cl)])
	used := len(c.Ciphers)
	p += cl
	if p >= len(b) {
		return c
	}
	p += 1 + int(b[p]) // compression methods
	if p+2 > len(b) {
		return c
	}
	el := u16(b[p:])
	p += 2
	if p+el > len(b) {
		return c
	}
	ext := b[p : p+el]
	var groups, formats []byte
	var exts []byte
	q := 0
	for q+4 < len(ext) {
		if size < used+2 {
			break
		}
		exts = append(exts, ext[q], ext[q+1])
		used += 2
		id, l := u16(ext[q:]), u16(ext[q+2:])
		q += 4
		if q+l > len(ext) {
			c.Extensions = exts
			return c
		}
		body := ext[q : q+l]
		switch id {
		case 10:
			if len(body) < 2 || 2+u16(body) > len(body) {
				c.Extensions = exts
				return c
			}
			groups = body[2 : 2+u16(body)]
			l = 2 + len(groups) // HAProxy steps over the list it read
		case 11:
			if len(body) < 1 || 1+int(body[0]) > len(body) {
				c.Extensions = exts
				return c
			}
			formats = body[1 : 1+int(body[0])]
			l = 1 + len(formats)
		}
		q += l
	}
	c.Extensions = exts
	if groups != nil {
		k := min(len(groups), size-used)
		c.Groups = clone(groups[:k])
		used += k
	}
	if formats != nil {
		k := min(len(formats), size-used)
		c.Formats = clone(formats[:k])
	}
	return c
}

func clone(b []byte) []byte { return append([]byte{}, b...) }

// WithoutGREASE is b (a list of 2-byte values) without the GREASE values
// of RFC 8701 (0x?a?a, both bytes equal), as HAProxy's filter option 1
// gives it; an odd last byte is kept.
func WithoutGREASE(b []byte) []byte {
	out := make([]byte, 0, len(b))
	i := 0
	for ; i+1 < len(b); i += 2 {
		if b[i] != b[i+1] || b[i]&0x0f != 0x0a {
			out = append(out, b[i], b[i+1])
		}
	}
	if i < len(b) {
		out = append(out, b[i])
	}
	return out
}
