package tlsconf

import "bytes"

// hrrRandom is the random of a HelloRetryRequest (RFC 8446 4.1.3): a
// ServerHello with it is not the one the session's keys come from.
var hrrRandom = []byte{
	0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
	0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
}

// helloCaptureMax bounds what a HelloRandom keeps of a stream that
// never shows its hello (anything but TLS): it then gives up.
const helloCaptureMax = 1 << 15

// HelloRandom picks the random of a TLS hello out of one direction of a
// connection's first bytes, as OpenSSL's SSL_get_client_random and
// SSL_get_server_random give it (ssl_fc_client_random and the like): the
// ClientHello's (the same in a second ClientHello), or the ServerHello's
// that is not a HelloRetryRequest. Feed it the bytes as they pass;
// Random is nil until the hello is seen, and stays so if the stream
// turns out not to show one.
type HelloRandom struct {
	// Server: look for a ServerHello (else a ClientHello).
	Server bool
	Random []byte
	// KeepHello: also keep the whole ClientHello message (Hello), for
	// tune.ssl.capture-buffer-size; the look then waits for all of it.
	KeepHello bool
	Hello     []byte
	// KeepSessionID: also keep the hello's legacy session id (SessionID;
	// empty when it has none), for ssl_bc_session_id in checks.
	KeepSessionID bool
	SessionID     []byte
	done          bool
	rec           []byte // bytes of the current records not yet taken
	hs            []byte // handshake messages' bytes, records unwrapped
	seen          int
}

// Feed reads p, the next bytes the connection carried one way. p is
// not kept: whole records are read where they lie, and only a record or
// handshake message cut between two reads is copied (a handshake's
// hellos usually come whole, so the look costs no copy of the flight).
func (h *HelloRandom) Feed(p []byte) {
	if h.done || len(p) == 0 {
		return
	}
	h.seen += len(p)
	if h.seen > helloCaptureMax {
		h.Stop()
		return
	}
	buf := p
	if len(h.rec) > 0 {
		h.rec = append(h.rec, p...)
		buf = h.rec
	}
	for len(buf) >= 5 && !h.done {
		n := int(buf[3])<<8 | int(buf[4])
		if len(buf) < 5+n {
			break
		}
		switch buf[0] {
		case 22: // handshake
			h.handshake(buf[5 : 5+n])
		case 20, 21: // change_cipher_spec, alert
		default: // encrypted, or not TLS
			h.Stop()
		}
		buf = buf[5+n:]
	}
	if !h.done {
		h.rec = append(h.rec[:0], buf...) // the cut record (memmove when buf is h.rec's tail)
	}
}

// handshake takes the payload of one handshake record.
func (h *HelloRandom) handshake(b []byte) {
	if len(h.hs) > 0 {
		h.hs = append(h.hs, b...)
		b = h.hs
	}
	b = h.messages(b)
	if !h.done {
		h.hs = append(h.hs[:0], b...)
	}
}

// messages takes the whole handshake messages of b and returns what is
// left of a message cut short.
func (h *HelloRandom) messages(b []byte) []byte {
	want := byte(1)
	if h.Server {
		want = 2
	}
	for len(b) >= 4 && !h.done {
		n := int(b[1])<<16 | int(b[2])<<8 | int(b[3])
		// type, length, version, then the random
		whole := !h.KeepHello || len(b) >= 4+n
		if b[0] == want && n >= 34 && len(b) >= 38 && whole && !(h.Server && bytes.Equal(b[6:38], hrrRandom)) {
			h.Random = bytes.Clone(b[6:38])
			if h.KeepHello {
				h.Hello = bytes.Clone(b[:4+n])
			}
			if h.KeepSessionID && len(b) > 38 {
				if l := int(b[38]); l <= 32 && 35+l <= n && len(b) >= 39+l {
					h.SessionID = bytes.Clone(b[39 : 39+l])
				}
			}
			h.Stop()
			return nil
		}
		if len(b) < 4+n {
			return b
		}
		b = b[4+n:]
	}
	return b
}

// Stop ends the look (the handshake is over), keeping Random.
func (h *HelloRandom) Stop() {
	h.done, h.rec, h.hs = true, nil, nil
}

// Done says that Feed has nothing more to look at.
func (h *HelloRandom) Done() bool { return h.done }
