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
// first private key found in data (nil when absent).
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
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && key == nil:
			key = pem.EncodeToMemory(b)
		}
	}
}
