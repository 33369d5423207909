package haproxy

import (
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
// the ".key" companion; false when it cannot be read.
func certFileProblem(path string, data []byte, readKey func(string) ([]byte, bool)) string {
	cert, key := pemParts(data)
	if cert == nil {
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	if _, err := x509.ParseCertificate(cert); err != nil {
		return fmt.Sprintf("unable to load certificate from file '%s'.", path)
	}
	if key == nil {
		if data, ok := readKey(path + ".key"); ok {
			_, key = pemParts(data)
		}
		if key == nil {
			return fmt.Sprintf("No Private Key found in '%s.key'.", path)
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
