package haproxy

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
)

// certFileProblem checks a "crt" PEM file as HAProxy 2.6's loader does at
// -c: a certificate first, then a private key (in the file itself, or else
// in "<file>.key"), then that the two belong together. It returns HAProxy's
// message (after "'bind ...' in section '...' : "), or "". readKey reads
// the ".key" companion, keyPath ("": not looked for, ssl-load-extra-files
// without key); false when it cannot be read.
func certFileProblem(path, keyPath string, data []byte, readKey func(string) ([]byte, bool)) string {
	cert, key := pemParts(data)
	if cert == nil {
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	if _, err := x509.ParseCertificate(cert); err != nil {
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	if key == nil && keyPath == "" {
		return fmt.Sprintf("No Private Key found in '%s'.", path)
	}
	if key == nil {
		if data, ok := readKey(keyPath); ok {
			_, key = pemParts(data)
		}
		if key == nil {
			return fmt.Sprintf("No Private Key found in '%s'.", keyPath)
		}
	}
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert})
	if _, err := tls.X509KeyPair(certPEM, key); err != nil {
		return fmt.Sprintf("inconsistencies between private key and certificate loaded '%s'.", path)
	}
	return ""
}

// pemParts returns the DER of the first certificate and the PEM of the
// first private key found in data (nil when absent). An encrypted key
// counts as none: HAProxy 2.6 asks for its pass phrase on the terminal
// (ca-sign-pass is not passed on), which a daemon does not have, and
// goes on as without a key ("No Private Key found in '<file>.key'").
func pemParts(data []byte) (cert, key []byte) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return cert, key
		}
		switch {
		case (b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE") && cert == nil:
			cert = b.Bytes
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && key == nil && !EncryptedKey(b):
			key = pem.EncodeToMemory(b)
		}
	}
}

// EncryptedKey reports a PEM private key under a pass phrase: PKCS#8's
// "ENCRYPTED PRIVATE KEY", or OpenSSL's traditional form with its
// "Proc-Type: 4,ENCRYPTED" header.
func EncryptedKey(b *pem.Block) bool {
	return b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}

// MinRSABits is the smallest RSA key HAProxy 2.6 puts into an SSL context
// on Debian 12: OpenSSL 3's security level 2 (Debian's openssl.cnf)
// refuses a certificate whose key gives under 112 bits of security
// (`bind ... crt` and `server ... crt` with a 1024-bit key: "unable to load
// SSL certificate into SSL Context"). A ca-sign-file CA is not put there
// and is not checked.
const MinRSABits = 2048

// weakKeyProblem is HAProxy's message for a crt file whose certificate
// has an RSA key under MinRSABits ("" = none, or not an RSA key).
func weakKeyProblem(path string, data []byte) string {
	cert, _ := pemParts(data)
	if cert == nil {
		return ""
	}
	c, err := x509.ParseCertificate(cert)
	if err != nil {
		return ""
	}
	if k, ok := c.PublicKey.(*rsa.PublicKey); ok && k.N.BitLen() < MinRSABits {
		return fmt.Sprintf("unable to load SSL certificate into SSL Context '%s'.", path)
	}
	return ""
}
