package tlsconf

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"strings"
)

// certText is what OCSP_RESPONSE_print writes of a certificate embedded
// in a response: X509_print (OpenSSL 3's layout) and the PEM block. goha
// prints the plain case only: a version 3 certificate with a positive
// serial below 2^63, plain names, an EC P-256 or P-384 key, and no
// extensions but basic constraints and a subject key identifier (ok
// false otherwise).
func certText(der []byte) (string, bool) {
	c, err := x509.ParseCertificate(der)
	if err != nil || c.Version != 3 || c.SerialNumber.Sign() < 0 || c.SerialNumber.BitLen() > 63 {
		return "", false
	}
	sigAlg, ok := sigAlgNames[oidOfSigAlg(c)]
	if !ok {
		return "", false
	}
	issuer, ok1 := nameCompat(c.RawIssuer)
	subject, ok2 := nameCompat(c.RawSubject)
	key, ok3 := ecKeyText(c)
	exts, ok4 := certExtensionsText(c)
	if !ok1 || !ok2 || !ok3 || !ok4 {
		return "", false
	}
	var s strings.Builder
	fmt.Fprintf(&s, "Certificate:\n    Data:\n        Version: 3 (0x2)\n        Serial Number: %d (0x%x)\n", c.SerialNumber, c.SerialNumber)
	fmt.Fprintf(&s, "        Signature Algorithm: %s\n        Issuer: %s\n        Validity\n", sigAlg, issuer)
	fmt.Fprintf(&s, "            Not Before: %s\n            Not After : %s\n", opensslTime(c.NotBefore), opensslTime(c.NotAfter))
	fmt.Fprintf(&s, "        Subject: %s\n        Subject Public Key Info:\n%s%s", subject, key, exts)
	fmt.Fprintf(&s, "    Signature Algorithm: %s\n    Signature Value:%s\n", sigAlg, hexColumns(c.Signature, 18, 8))
	s.Write(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
	return s.String(), true
}

// oidOfSigAlg is the certificate's signature algorithm OID.
func oidOfSigAlg(c *x509.Certificate) string {
	var tbs struct {
		Raw     asn1.RawContent
		Version int `asn1:"optional,explicit,default:0,tag:0"`
		Serial  asn1.RawValue
		SigAlg  struct{ Algorithm asn1.ObjectIdentifier }
	}
	if _, err := asn1.UnmarshalWithParams(c.RawTBSCertificate, &tbs, ""); err != nil {
		return ""
	}
	return tbs.SigAlg.Algorithm.String()
}

// nameCompat is X509_NAME_print's "O=goha, CN=CA" for plain names.
func nameCompat(raw []byte) (string, bool) {
	s, ok := nameOneLine(raw)
	return strings.ReplaceAll(s, " = ", "="), ok
}

// ecKeyText prints an EC P-256 or P-384 public key as OpenSSL does.
func ecKeyText(c *x509.Certificate) (string, bool) {
	k, ok := c.PublicKey.(*ecdsa.PublicKey)
	if !ok {
		return "", false
	}
	var oid, nist string
	switch k.Curve {
	case elliptic.P256():
		oid, nist = "prime256v1", "P-256"
	case elliptic.P384():
		oid, nist = "secp384r1", "P-384"
	default:
		return "", false
	}
	pt, err := k.ECDH()
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("            Public Key Algorithm: id-ecPublicKey\n                Public-Key: (%d bit)\n                pub:%s\n                ASN1 OID: %s\n                NIST CURVE: %s\n",
		k.Curve.Params().BitSize, hexColumns(pt.Bytes(), 15, 20), oid, nist), true
}

// certExtensionsText prints basic constraints and the subject key
// identifier as X509V3_extensions_print does ("" without extensions).
func certExtensionsText(c *x509.Certificate) (string, bool) {
	if len(c.Extensions) == 0 {
		return "", true
	}
	var s strings.Builder
	s.WriteString("        X509v3 extensions:\n")
	for _, e := range c.Extensions {
		crit := ""
		if e.Critical {
			crit = "critical"
		}
		switch {
		case e.Id.Equal(oidBasicConstraint):
			v := "CA:FALSE"
			if c.IsCA {
				v = "CA:TRUE"
			}
			if c.MaxPathLen > 0 || c.MaxPathLenZero {
				v += fmt.Sprintf(", pathlen:%d", c.MaxPathLen)
			}
			fmt.Fprintf(&s, "            X509v3 Basic Constraints: %s\n                %s\n", crit, v)
		case e.Id.Equal(oidSubjectKeyID) && len(c.SubjectKeyId) > 0:
			fmt.Fprintf(&s, "            X509v3 Subject Key Identifier: %s\n                %s\n", crit, hexUpperColons(c.SubjectKeyId))
		default:
			return "", false
		}
	}
	return s.String(), true
}

func hexUpperColons(b []byte) string {
	parts := make([]string, len(b))
	for i, c := range b {
		parts[i] = fmt.Sprintf("%02X", c)
	}
	return strings.Join(parts, ":")
}

// hexColumns is OpenSSL's colon-separated lower-case hex dump: per lines
// of n bytes, each on a new line indented by indent spaces.
func hexColumns(b []byte, n, indent int) string {
	var s strings.Builder
	for i, c := range b {
		if i%n == 0 {
			s.WriteString("\n" + strings.Repeat(" ", indent))
		}
		fmt.Fprintf(&s, "%02x", c)
		if i+1 < len(b) {
			s.WriteByte(':')
		}
	}
	return s.String()
}
