package runtimeapi

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"strings"

	"github.com/goha-lb/goha/proxy/tlsconf"
)

// certDetails is `show ssl cert <file>` in HAProxy 2.6's layout.
func certDetails(st tlsconf.CertStatus) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Filename: %s\nStatus: %s\n", st.Path, st.Status)
	if st.Cert != nil && len(st.Cert.TLS.Certificate) > 0 {
		issuerFile, chain := st.Cert.ShowChain()
		if issuerFile != "" {
			fmt.Fprintf(&b, "Chain Filename: %s\n", issuerFile)
		}
		leaf, err := x509.ParseCertificate(st.Cert.TLS.Certificate[0])
		if err == nil {
			leafDetails(&b, leaf, st.Cert.TLS.Certificate[0])
			for _, raw := range chain {
				if c, err := x509.ParseCertificate(raw); err == nil {
					fmt.Fprintf(&b, "Chain Subject: %s\nChain Issuer: %s\n", dnOneLine(c.RawSubject), dnOneLine(c.RawIssuer))
				}
			}
		}
	}
	// the certificate ID of its stapled response (ssl_ocsp.go)
	fmt.Fprintf(&b, "OCSP Response Key: %x\n", tlsconf.OCSPKey(st.Cert))
	return b.String()
}

func leafDetails(b *strings.Builder, c *x509.Certificate, der []byte) {
	fmt.Fprintf(b, "Serial: %X\n", c.SerialNumber.Bytes())
	// OpenSSL's ASN1_TIME_print: "Dec  6 12:35:02 2026 GMT".
	fmt.Fprintf(b, "notBefore: %s\n", c.NotBefore.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	fmt.Fprintf(b, "notAfter: %s\n", c.NotAfter.UTC().Format("Jan _2 15:04:05 2006 GMT"))
	fmt.Fprintf(b, "Subject Alternative Name: %s\n", sanLine(c)) // even without the extension
	fmt.Fprintf(b, "Algorithm: %s\n", keyAlgorithm(c))
	fmt.Fprintf(b, "SHA1 FingerPrint: %X\n", sha1.Sum(der))
	fmt.Fprintf(b, "Subject: %s\nIssuer: %s\n", dnOneLine(c.RawSubject), dnOneLine(c.RawIssuer))
}

// sanLine lists the DNS names of the subjectAltName extension in order,
// with HAProxy's separator written after every entry but the last, of
// whatever kind (an IP address last leaves "DNS:a, ").
func sanLine(c *x509.Certificate) string {
	for _, ext := range c.Extensions {
		if !ext.Id.Equal(asn1.ObjectIdentifier{2, 5, 29, 17}) {
			continue
		}
		var seq asn1.RawValue
		if _, err := asn1.Unmarshal(ext.Value, &seq); err != nil {
			return ""
		}
		var names []asn1.RawValue
		for rest := seq.Bytes; len(rest) > 0; {
			var v asn1.RawValue
			var err error
			if rest, err = asn1.Unmarshal(rest, &v); err != nil {
				break
			}
			names = append(names, v)
		}
		var b strings.Builder
		for i, n := range names {
			if n.Class == asn1.ClassContextSpecific && n.Tag == 2 {
				b.WriteString("DNS:" + string(n.Bytes))
			}
			if i < len(names)-1 {
				b.WriteString(", ")
			}
		}
		return b.String()
	}
	return ""
}

// keyAlgorithm is the key type and size as HAProxy names them (RSA2048,
// EC256).
func keyAlgorithm(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return fmt.Sprintf("EC%d", k.Curve.Params().BitSize)
	}
	return c.PublicKeyAlgorithm.String()
}

// dnShort are OpenSSL's short names of the usual name attributes.
var dnShort = map[string]string{
	"2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.10": "O",
	"2.5.4.11": "OU", "2.5.4.5": "serialNumber", "2.5.4.9": "street", "2.5.4.17": "postalCode",
	"1.2.840.113549.1.9.1": "emailAddress", "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
}

// dnOneLine is HAProxy's "/C=FR/O=Org/CN=name" form of a DER name.
func dnOneLine(raw []byte) string {
	var seq pkix.RDNSequence
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return ""
	}
	var b strings.Builder
	for _, rdn := range seq {
		for _, a := range rdn {
			n, ok := dnShort[a.Type.String()]
			if !ok {
				n = a.Type.String()
			}
			fmt.Fprintf(&b, "/%s=%v", n, a.Value)
		}
	}
	return b.String()
}
