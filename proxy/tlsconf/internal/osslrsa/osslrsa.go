// Package osslrsa signs with RSA private keys through the system's OpenSSL
// 3 libcrypto (libcrypto.so.3, opened at run time), whose RSA private-key
// operation costs about a third of Go's on x86-64. crypto/tls takes a Key
// as a certificate's PrivateKey: it signs the handshake (PKCS#1 v1.5 and
// PSS) and decrypts the static RSA key exchange (by Go). Without cgo, or
// when libcrypto.so.3 cannot be opened or lacks what is needed, New returns
// the Go key itself and Go signs.
package osslrsa

import (
	"crypto"
	"crypto/rsa"
	"crypto/x509"
	"io"
	"runtime"
	"sync"
	"sync/atomic"
)

// Key is an RSA private key whose signatures OpenSSL makes. Safe for
// concurrent use.
type Key struct {
	goKey *rsa.PrivateKey
	h     *handle
	// checked: one signature of this key was verified by Go's public key;
	// bad: that check failed, and Go signs from then on.
	checked, bad atomic.Bool
}

// libName is the library opened (tests name one that is missing).
var libName = "libcrypto.so.3"

var (
	libOnce sync.Once
	libErr  error
	libVer  string
)

func loadLib() {
	libOnce.Do(func() { libVer, libErr = openLib() })
}

// Version names the libcrypto that signs ("OpenSSL 3.0.x ..."), or ""
// with the reason it is not used.
func Version() (string, error) {
	loadLib()
	return libVer, libErr
}

// New returns a signer for k: a *Key when libcrypto takes the key, k
// itself otherwise. Keys under 1024 bits stay Go's, which refuses to sign
// with them (GODEBUG rsa1024min), where OpenSSL's EVP_PKEY_sign would not.
func New(k *rsa.PrivateKey) crypto.Signer {
	if k.N.BitLen() < 1024 {
		return k
	}
	if loadLib(); libErr != nil {
		return k
	}
	der := x509.MarshalPKCS1PrivateKey(k)
	h := loadKey(der)
	clear(der)
	if h == nil {
		return k
	}
	key := &Key{goKey: k, h: h}
	runtime.AddCleanup(key, release, h)
	return key
}

// freed counts the EVP_PKEYs released (tests).
var freed atomic.Int64

func release(h *handle) {
	freeHandle(h)
	freed.Add(1)
}

// Public is the Go public key.
func (k *Key) Public() crypto.PublicKey { return &k.goKey.PublicKey }

// GoKey is the Go private key behind k.
func (k *Key) GoKey() *rsa.PrivateKey { return k.goKey }

// Equal reports whether x is the same private key (a Key or an
// *rsa.PrivateKey).
func (k *Key) Equal(x crypto.PrivateKey) bool {
	if o, ok := x.(*Key); ok {
		x = o.goKey
	}
	return k.goKey.Equal(x)
}

// Decrypt is Go's (the TLS 1.0-1.2 static RSA key exchange).
func (k *Key) Decrypt(rand io.Reader, msg []byte, opts crypto.DecrypterOpts) ([]byte, error) {
	return k.goKey.Decrypt(rand, msg, opts)
}

// Sign signs digest as crypto/tls and crypto/x509 ask: opts a crypto.Hash
// for PKCS#1 v1.5, an *rsa.PSSOptions for PSS. What OpenSSL is not given
// (another hash, a failed call, a key whose first signature did not
// verify) Go signs.
func (k *Key) Sign(rand io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	if k.bad.Load() {
		return k.goKey.Sign(rand, digest, opts)
	}
	h := opts.HashFunc()
	md, ok := mdOf(h)
	if !ok || (h != 0 && len(digest) != h.Size()) {
		return k.goKey.Sign(rand, digest, opts)
	}
	pss, salt := false, 0
	if po, ok := opts.(*rsa.PSSOptions); ok {
		pss = true
		switch po.SaltLength {
		case rsa.PSSSaltLengthAuto:
			salt = saltMax
		case rsa.PSSSaltLengthEqualsHash:
			salt = saltDigest
		default:
			if po.SaltLength <= 0 {
				return k.goKey.Sign(rand, digest, opts)
			}
			salt = po.SaltLength
		}
	}
	sig := make([]byte, k.goKey.Size())
	n, ok := sign(k.h, pss, md, salt, digest, sig)
	runtime.KeepAlive(k)
	if !ok || n != len(sig) {
		return k.goKey.Sign(rand, digest, opts)
	}
	sig = sig[:n]
	if !k.checked.Load() {
		if err := verify(&k.goKey.PublicKey, h, digest, sig, pss); err != nil {
			k.bad.Store(true)
			return k.goKey.Sign(rand, digest, opts)
		}
		k.checked.Store(true)
	}
	return sig, nil
}

func verify(pub *rsa.PublicKey, h crypto.Hash, digest, sig []byte, pss bool) error {
	if pss {
		return rsa.VerifyPSS(pub, h, digest, sig, &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthAuto})
	}
	return rsa.VerifyPKCS1v15(pub, h, digest, sig)
}

// mdOf: the digests handed to OpenSSL, by index into the C table.
func mdOf(h crypto.Hash) (int, bool) {
	switch h {
	case crypto.SHA256:
		return 0, true
	case crypto.SHA384:
		return 1, true
	case crypto.SHA512:
		return 2, true
	case crypto.SHA1:
		return 3, true
	case crypto.SHA224:
		return 4, true
	}
	return 0, false
}

// The digest names libcrypto is asked for, in mdOf's order.
var mdNames = []string{"SHA256", "SHA384", "SHA512", "SHA1", "SHA224"}
