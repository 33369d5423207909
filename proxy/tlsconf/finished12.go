package tlsconf

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/des"
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"encoding/binary"
	"hash"

	"golang.org/x/crypto/chacha20poly1305"
)

// suite12 is how a TLS 1.0-1.2 cipher suite protects records (RFC
// 5246 6.2.3, RFC 5288, RFC 7905): MAC key, key and IV lengths, AEAD or
// CBC, and the PRF hash of TLS 1.2.
type suite12 struct {
	macLen, keyLen, ivLen int
	kind                  int // aeadGCM, aeadChaCha, cbcAES, cbc3DES
	mac                   func() hash.Hash
	sha384                bool
}

const (
	aeadGCM = iota
	aeadChaCha
	cbcAES
	cbc3DES
)

// suites12 are the TLS 1.0-1.2 suites Go's crypto/tls negotiates.
var suites12 = map[uint16]suite12{
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:       {0, 16, 4, aeadGCM, nil, false},
	tls.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:         {0, 16, 4, aeadGCM, nil, false},
	tls.TLS_RSA_WITH_AES_128_GCM_SHA256:               {0, 16, 4, aeadGCM, nil, false},
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:       {0, 32, 4, aeadGCM, nil, true},
	tls.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:         {0, 32, 4, aeadGCM, nil, true},
	tls.TLS_RSA_WITH_AES_256_GCM_SHA384:               {0, 32, 4, aeadGCM, nil, true},
	tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: {0, 32, 12, aeadChaCha, nil, false},
	tls.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:   {0, 32, 12, aeadChaCha, nil, false},
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:          {20, 16, 16, cbcAES, sha1.New, false},
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA:            {20, 16, 16, cbcAES, sha1.New, false},
	tls.TLS_RSA_WITH_AES_128_CBC_SHA:                  {20, 16, 16, cbcAES, sha1.New, false},
	tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA:          {20, 32, 16, cbcAES, sha1.New, false},
	tls.TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA:            {20, 32, 16, cbcAES, sha1.New, false},
	tls.TLS_RSA_WITH_AES_256_CBC_SHA:                  {20, 32, 16, cbcAES, sha1.New, false},
	tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256:       {32, 16, 16, cbcAES, sha256.New, false},
	tls.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256:         {32, 16, 16, cbcAES, sha256.New, false},
	tls.TLS_RSA_WITH_AES_128_CBC_SHA256:               {32, 16, 16, cbcAES, sha256.New, false},
	tls.TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA:           {20, 24, 8, cbc3DES, sha1.New, false},
	tls.TLS_RSA_WITH_3DES_EDE_CBC_SHA:                 {20, 24, 8, cbc3DES, sha1.New, false},
}

// Finished12 is the verify data of the Finished a TLS 1.0-1.2
// connection's side sent in stream (that side's bytes from the start):
// the first record after its change_cipher_spec, opened with the keys
// of master and the hellos' randoms (server: stream is the server's).
// nil when it cannot be read: unknown suite, records cut or not
// opening.
func Finished12(stream []byte, version, suite uint16, master, clientRandom, serverRandom []byte, server bool) []byte {
	p, ok := suites12[suite]
	if !ok || len(master) == 0 || len(clientRandom) != 32 || len(serverRandom) != 32 {
		return nil
	}
	// The first record after change_cipher_spec.
	var hdr, body []byte
	ccs := false
	for len(stream) >= 5 {
		n := int(binary.BigEndian.Uint16(stream[3:5]))
		if len(stream) < 5+n {
			return nil
		}
		if ccs {
			hdr, body = stream[:5], stream[5:5+n]
			break
		}
		ccs = stream[0] == 20
		stream = stream[5+n:]
	}
	if hdr == nil || hdr[0] != 22 {
		return nil
	}
	// The key block: client MAC, server MAC, client key, server key,
	// client IV, server IV (RFC 5246 6.3).
	seed := append(append([]byte{}, serverRandom...), clientRandom...)
	block := prf12(version, p.sha384, master, "key expansion", seed, 2*(p.macLen+p.keyLen+p.ivLen))
	side := 0
	if server {
		side = 1
	}
	off := 2*p.macLen + side*p.keyLen
	key := block[off : off+p.keyLen]
	off = 2*(p.macLen+p.keyLen) + side*p.ivLen
	iv := block[off : off+p.ivLen]
	var plain []byte
	switch p.kind {
	case aeadGCM, aeadChaCha:
		plain = open12(p, key, iv, hdr, body)
	default:
		plain = openCBC(p, version, key, iv, body)
	}
	if len(plain) != 16 || plain[0] != 20 || plain[1] != 0 || plain[2] != 0 || plain[3] != 12 {
		return nil
	}
	return plain[4:]
}

// open12 opens a record of sequence number 0 under an AEAD suite.
func open12(p suite12, key, iv, hdr, body []byte) []byte {
	var aead cipher.AEAD
	var nonce []byte
	var err error
	if p.kind == aeadGCM {
		if len(body) < 8+16 {
			return nil
		}
		var b cipher.Block
		if b, err = aes.NewCipher(key); err != nil {
			return nil
		}
		if aead, err = cipher.NewGCM(b); err != nil {
			return nil
		}
		nonce = append(append([]byte{}, iv...), body[:8]...) // the explicit part
		body = body[8:]
	} else {
		if aead, err = chacha20poly1305.New(key); err != nil || len(body) < 16 {
			return nil
		}
		nonce = iv // XOR sequence number 0
	}
	ad := make([]byte, 8, 13) // sequence number 0
	ad = append(ad, hdr[0], hdr[1], hdr[2])
	ad = binary.BigEndian.AppendUint16(ad, uint16(len(body)-aead.Overhead()))
	plain, err := aead.Open(nil, nonce, body, ad)
	if err != nil {
		return nil
	}
	return plain
}

// openCBC decrypts a CBC record (the explicit IV first from TLS 1.1 on,
// the key block's in TLS 1.0) and strips its padding and MAC.
func openCBC(p suite12, version uint16, key, iv, body []byte) []byte {
	var b cipher.Block
	var err error
	if p.kind == cbcAES {
		b, err = aes.NewCipher(key)
	} else {
		b, err = des.NewTripleDESCipher(key)
	}
	if err != nil {
		return nil
	}
	bs := b.BlockSize()
	if version >= tls.VersionTLS11 {
		if len(body) < bs {
			return nil
		}
		iv, body = body[:bs], body[bs:]
	}
	if len(body) == 0 || len(body)%bs != 0 {
		return nil
	}
	plain := make([]byte, len(body))
	cipher.NewCBCDecrypter(b, iv).CryptBlocks(plain, body)
	pad := int(plain[len(plain)-1]) + 1
	if pad+p.macLen > len(plain) {
		return nil
	}
	return plain[:len(plain)-pad-p.macLen]
}

// prf12 is the PRF of TLS 1.2 (P_SHA256, or P_SHA384 for the suites
// that name it), or of TLS 1.0 and 1.1 (P_MD5 XOR P_SHA1 over the
// secret's halves).
func prf12(version uint16, sha384 bool, secret []byte, label string, seed []byte, n int) []byte {
	ls := append([]byte(label), seed...)
	if version >= tls.VersionTLS12 {
		h := sha256.New
		if sha384 {
			h = sha512.New384
		}
		return pHash(h, secret, ls, n)
	}
	half := (len(secret) + 1) / 2
	a := pHash(md5.New, secret[:half], ls, n)
	b := pHash(sha1.New, secret[len(secret)-half:], ls, n)
	for i := range a {
		a[i] ^= b[i]
	}
	return a
}

// pHash is RFC 5246's P_hash: HMAC(secret, A(i) + seed) for A(i) =
// HMAC(secret, A(i-1)), A(0) = seed, to n bytes.
func pHash(h func() hash.Hash, secret, seed []byte, n int) []byte {
	out := make([]byte, 0, n)
	mac := hmac.New(h, secret)
	mac.Write(seed)
	a := mac.Sum(nil)
	for len(out) < n {
		mac.Reset()
		mac.Write(a)
		mac.Write(seed)
		out = mac.Sum(out)
		mac.Reset()
		mac.Write(a)
		a = mac.Sum(nil)
	}
	return out[:n]
}
