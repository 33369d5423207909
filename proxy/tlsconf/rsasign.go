package tlsconf

import (
	"crypto"
	"crypto/rsa"
	"fmt"
	"runtime"

	"github.com/goha-lb/goha/parser/haproxy"

	"github.com/goha-lb/goha/proxy/tlsconf/internal/osslrsa"
)

// loadServed loads a certificate a bind or a server line presents. As
// HAProxy 2.6 on Debian's OpenSSL 3 (security level 2), an RSA key under
// haproxy.MinRSABits is refused (a ca-sign-file CA, loaded by loadFile,
// is not checked, nor in HAProxy).
func loadServed(path string, t *haproxy.TLSTune) (Cert, error) {
	c, err := loadFile(path, t)
	if err != nil {
		return c, err
	}
	if k, ok := c.TLS.Leaf.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < haproxy.MinRSABits {
		return Cert{}, fmt.Errorf("unable to load SSL certificate into SSL Context '%s'", path)
	}
	return c, nil
}

// fastKey is the private key a certificate serves with: an RSA key signs
// through the system's OpenSSL 3 libcrypto when it loads (about a third of
// Go's CPU per signature, the bulk of a full RSA handshake), Go's own key
// otherwise; other keys (ECDSA, Ed25519) stay Go's.
func fastKey(k crypto.PrivateKey) crypto.PrivateKey {
	if r, ok := k.(*rsa.PrivateKey); ok {
		return osslrsa.New(r)
	}
	return k
}

// Providers names what does goha's TLS cryptography, one line each (the
// runtime API's `show ssl providers`): Go's crypto/tls, and OpenSSL's
// libcrypto for RSA signatures when it loads.
func Providers() []string {
	out := []string{"go-crypto (" + runtime.Version() + ")"}
	if v, err := osslrsa.Version(); err == nil {
		out = append(out, "libcrypto.so.3 ("+v+", RSA signatures)")
	}
	return out
}

// RSASigner says what makes RSA signatures: OpenSSL's version, or Go's
// crypto/rsa and why (`gohaproxy -vv`).
func RSASigner() string {
	if v, err := osslrsa.Version(); err == nil {
		return v
	} else {
		return "Go crypto/rsa (" + err.Error() + ")"
	}
}
