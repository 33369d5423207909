// Package clienthello reads what HAProxy's payload fetches read of a TLS
// ClientHello sitting in a connection's input buffer (req.ssl_hello_type,
// req.ssl_ver, req.ssl_sni, req.ssl_alpn, req.ssl_ec_ext,
// req.ssl_st_ext), with their rules for a buffer that is not complete
// yet: TCP-mode routing by SNI without terminating TLS. Pure functions
// over bytes, no I/O.
package clienthello

// Status is the outcome of a read: a value, not enough bytes yet (a rule
// waiting under tcp-request inspect-delay tries again with more), or not
// a ClientHello (no value, final).
type Status uint8

const (
	OK Status = iota
	Short
	No
)

func u16(b []byte) int { return int(b[0])<<8 | int(b[1]) }

// HelloType is the handshake message type of the first record
// (req.ssl_hello_type: 1 for a ClientHello), once the whole handshake
// message announced by its header is buffered.
func HelloType(b []byte) (int, Status) {
	if len(b) == 0 {
		return 0, Short
	}
	if !(b[0] >= 0x14 && b[0] <= 0x17) && b[0] != 0xff {
		return 0, No
	}
	if len(b) < 9 {
		return 0, Short
	}
	if int(b[1])<<16|int(b[2]) < 0x030000 || u16(b[3:]) < 4 {
		return 0, No
	}
	hsLen := int(b[6])<<16 | int(b[7])<<8 | int(b[8])
	if len(b) < 9+hsLen {
		return 0, Short
	}
	return int(b[5]), OK
}

// Version is req.ssl_ver: the ClientHello's client_version (SSLv3 record
// format) or the SSLv2 hello's version, as major<<16|minor, once the
// message (capped at limit, the buffer's size) is buffered.
func Version(b []byte, limit int) (int, Status) {
	if len(b) == 0 {
		return 0, Short
	}
	var version, msgLen int
	data := b
	if (b[0] >= 0x14 && b[0] <= 0x17) || b[0] == 0xff {
		if len(b) < 11 {
			return 0, Short
		}
		if int(b[1])<<16|int(b[2]) < 0x030000 {
			return 0, No
		}
		msgLen = u16(b[3:])
		if msgLen < 6 || msgLen > 1<<14+2048 {
			return 0, No
		}
		data = b[5:]
		version = int(data[4])<<16 | int(data[5])
	} else {
		var rlen, plen int
		if b[0]&0x80 != 0 {
			if len(data) < 3 {
				return 0, Short
			}
			rlen = int(b[0]&0x7f)<<8 | int(b[1])
			data = data[2:]
		} else {
			if len(data) < 4 {
				return 0, Short
			}
			rlen = int(b[0]&0x3f)<<8 | int(b[1])
			plen = int(b[2])
			data = data[3:]
		}
		if data[0] != 0x01 {
			return 0, No
		}
		data = data[1:]
		if len(data) < 8 {
			return 0, Short
		}
		version = int(data[0])<<16 | int(data[1])
		cilen, silen, chlen := u16(data[2:]), u16(data[4:]), u16(data[6:])
		data = data[8:]
		if cilen%3 != 0 || (silen != 0 && silen != 16) || chlen < 16 || chlen > 32 || rlen != 9+cilen+silen+chlen {
			return 0, No
		}
		msgLen = cilen + silen + chlen + plen
	}
	if limit > 0 && msgLen > limit {
		msgLen = limit
	}
	if len(data) < msgLen {
		return 0, Short
	}
	return version, OK
}

// extensions walks to a complete ClientHello's extension block (the
// bytes after its length), with HAProxy's checks.
func extensions(b []byte) ([]byte, Status) {
	if len(b) == 0 {
		return nil, Short
	}
	if b[0] != 0x16 {
		return nil, No
	}
	if len(b) < 3 {
		return nil, Short
	}
	if b[1] < 0x03 {
		return nil, No
	}
	if len(b) < 5 {
		return nil, Short
	}
	const minHello = 2 + 32 + 1 + 2 + 2 + 1 + 1 + 2 + 2
	if u16(b[3:]) < 1+3+minHello {
		return nil, No
	}
	data := b[5:]
	if len(data) < 1 {
		return nil, Short
	}
	if data[0] != 0x01 {
		return nil, No
	}
	if len(data) < 4 {
		return nil, Short
	}
	hsLen := int(data[1])<<16 | int(data[2])<<8 | int(data[3])
	if hsLen < minHello {
		return nil, No
	}
	// The whole message: HAProxy compares with what follows the record
	// header, the handshake header included.
	if len(data) < hsLen {
		return nil, Short
	}
	data = data[4:]
	if len(data) < hsLen {
		// hsLen counts from here: the last 4 bytes may still be missing.
		return nil, Short
	}
	data = data[:hsLen]
	if data[0] < 0x03 || data[1] < 0x01 {
		return nil, No
	}
	sid := int(data[34])
	if sid > 32 || sid > hsLen-35 {
		return nil, No
	}
	data = data[35+sid:]
	if len(data) < 4 {
		return nil, No
	}
	cl := u16(data)
	if cl < 2 || cl > len(data) {
		return nil, No
	}
	data = data[2+cl:]
	if len(data) < 2 || data[0] < 1 || int(data[0]) > len(data) {
		return nil, No
	}
	data = data[1+int(data[0]):]
	if len(data) < 2 {
		return nil, No
	}
	el := u16(data)
	if el > len(data)-2 {
		return nil, No
	}
	return data[2 : 2+el], OK
}

// each calls f with every extension's type and body, in order, until it
// returns false; No when an extension overruns the block.
func each(exts []byte, f func(typ int, body []byte) bool) Status {
	for len(exts) >= 4 {
		typ, l := u16(exts), u16(exts[2:])
		if l > len(exts)-4 {
			return No
		}
		if !f(typ, exts[4:4+l]) {
			return OK
		}
		exts = exts[4+l:]
	}
	return OK
}

// SNI is req.ssl_sni: the host_name of the server_name extension (as
// sent, not lower-cased).
func SNI(b []byte) (string, Status) {
	exts, st := extensions(b)
	if st != OK {
		return "", st
	}
	name, found := "", false
	bad := false
	st = each(exts, func(typ int, body []byte) bool {
		if typ != 0 {
			return true
		}
		if len(body) < 2 {
			bad = true
			return false
		}
		// HAProxy bounds the list by what is left of the block, and
		// reads the first entry only.
		srvLen := u16(body)
		if srvLen < 4 || srvLen > len(body)-2 || len(body) < 5 {
			bad = true
			return false
		}
		nl := u16(body[3:])
		if body[2] != 0 {
			return true
		}
		if 5+nl > len(body) {
			bad = true
			return false
		}
		name, found = string(body[5:5+nl]), true
		return false
	})
	if st != OK || bad || !found {
		return "", No
	}
	return name, OK
}

// ALPN is req.ssl_alpn: the protocol names the client offers, in its
// order of preference.
func ALPN(b []byte) ([]string, Status) {
	exts, st := extensions(b)
	if st != OK {
		return nil, st
	}
	var out []string
	found, bad := false, false
	st = each(exts, func(typ int, body []byte) bool {
		if typ != 16 {
			return true
		}
		found = true
		if len(body) < 3 {
			bad = true
			return false
		}
		for off := 2; off < len(body); {
			n := int(body[off])
			if off+1+n > len(body) {
				bad = true
				break
			}
			out = append(out, string(body[off+1:off+1+n]))
			off += 1 + n
		}
		return false
	})
	if st != OK || !found || (bad && len(out) == 0) {
		return nil, No
	}
	return out, OK
}

// ECExt is req.ssl_ec_ext: whether the ClientHello carries the
// supported_groups (elliptic_curves, RFC 4492) extension.
func ECExt(b []byte) (bool, Status) {
	exts, st := extensions(b)
	if st != OK {
		return false, st
	}
	found := false
	if each(exts, func(typ int, _ []byte) bool {
		found = typ == 10
		return !found
	}) != OK {
		return false, No
	}
	return found, OK
}

// STExt is req.ssl_st_ext: 0 when the ClientHello has no session_ticket
// extension, 1 when it has an empty one, 2 when it carries a ticket.
func STExt(b []byte) (int, Status) {
	exts, st := extensions(b)
	if st != OK {
		return 0, st
	}
	v := 0
	if each(exts, func(typ int, body []byte) bool {
		if typ != 35 {
			return true
		}
		v = 1
		if len(body) > 0 {
			v = 2
		}
		return false
	}) != OK {
		return 0, No
	}
	return v, OK
}
