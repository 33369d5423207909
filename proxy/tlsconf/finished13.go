package tlsconf

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"encoding/hex"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// recordTapMax bounds what a RecordTap keeps: a handshake's hellos and
// flight fit (crypto/tls takes a ClientHello of up to 64 KiB and a
// Certificate message of up to 256 KiB); past it the Finished is not
// looked for.
const recordTapMax = 1 << 19

// RecordTap keeps one direction of a TLS connection's bytes from its
// start, up to recordTapMax, for Finished13 once the handshake is over.
type RecordTap struct {
	On   bool
	buf  []byte
	full bool
}

// Feed keeps p, the next bytes the connection carried that way.
func (t *RecordTap) Feed(p []byte) {
	if !t.On || t.full {
		return
	}
	if len(t.buf)+len(p) > recordTapMax {
		t.full = true
		return
	}
	t.buf = append(t.buf, p...)
}

// Take ends the tap and returns what it kept (nil when it overflowed).
func (t *RecordTap) Take() []byte {
	b := t.buf
	if t.full {
		b = nil
	}
	t.On, t.buf = false, nil
	return b
}

// Finished13 is the verify data of the TLS 1.3 Finished message sent in
// stream (one direction's bytes from the connection's start, as a
// RecordTap kept them), read by decrypting its handshake records with
// that side's handshake traffic secret (hex, as the key log writes it)
// under the cipher suite suite. nil when it cannot be found: the
// records are cut, do not open, or show no Finished.
func Finished13(stream []byte, suite uint16, secretHex string) []byte {
	secret, err := hex.DecodeString(secretHex)
	if err != nil || len(secret) == 0 {
		return nil
	}
	aead, iv, size := trafficAEAD(suite, secret)
	if aead == nil {
		return nil
	}
	var seq uint64
	var hs []byte // handshake messages' bytes, records opened
	nonce := make([]byte, len(iv))
	for len(stream) >= 5 {
		n := int(binary.BigEndian.Uint16(stream[3:5]))
		if len(stream) < 5+n {
			return nil
		}
		hdr, body := stream[:5], stream[5:5+n]
		stream = stream[5+n:]
		if hdr[0] != 23 { // the hellos in clear, change_cipher_spec
			continue
		}
		copy(nonce, iv)
		for i := 0; i < 8; i++ {
			nonce[len(nonce)-1-i] ^= byte(seq >> (8 * i))
		}
		seq++
		plain, err := aead.Open(nil, nonce, body, hdr)
		if err != nil {
			return nil
		}
		// TLSInnerPlaintext: content, content type, zero padding.
		i := len(plain) - 1
		for i >= 0 && plain[i] == 0 {
			i--
		}
		if i < 0 || plain[i] != 22 {
			return nil // not handshake: past the handshake
		}
		hs = append(hs, plain[:i]...)
		for len(hs) >= 4 {
			m := int(hs[1])<<16 | int(hs[2])<<8 | int(hs[3])
			if len(hs) < 4+m {
				break
			}
			if hs[0] == 20 { // finished
				if m != size {
					return nil
				}
				return append([]byte(nil), hs[4:4+m]...)
			}
			hs = hs[4+m:]
		}
	}
	return nil
}

// trafficAEAD is the record protection of a TLS 1.3 traffic secret
// (RFC 8446 7.3), its IV, and the suite's hash size (a Finished's).
func trafficAEAD(suite uint16, secret []byte) (cipher.AEAD, []byte, int) {
	var h func() hash.Hash
	keyLen := 16
	switch suite {
	case tls.TLS_AES_128_GCM_SHA256:
		h = sha256.New
	case tls.TLS_CHACHA20_POLY1305_SHA256:
		h, keyLen = sha256.New, 32
	case tls.TLS_AES_256_GCM_SHA384:
		h, keyLen = sha512.New384, 32
	default:
		return nil, nil, 0
	}
	key := expandLabel(h, secret, "key", keyLen)
	iv := expandLabel(h, secret, "iv", 12)
	if key == nil || iv == nil {
		return nil, nil, 0
	}
	var aead cipher.AEAD
	var err error
	if suite == tls.TLS_CHACHA20_POLY1305_SHA256 {
		aead, err = chacha20poly1305.New(key)
	} else {
		var b cipher.Block
		if b, err = aes.NewCipher(key); err == nil {
			aead, err = cipher.NewGCM(b)
		}
	}
	if err != nil {
		return nil, nil, 0
	}
	return aead, iv, h().Size()
}

// expandLabel is TLS 1.3's HKDF-Expand-Label with an empty context.
func expandLabel(h func() hash.Hash, secret []byte, label string, n int) []byte {
	full := "tls13 " + label
	info := make([]byte, 0, 4+len(full))
	info = binary.BigEndian.AppendUint16(info, uint16(n))
	info = append(info, byte(len(full)))
	info = append(info, full...)
	info = append(info, 0)
	out, err := hkdf.Expand(h, secret, string(info), n)
	if err != nil {
		return nil
	}
	return out
}
