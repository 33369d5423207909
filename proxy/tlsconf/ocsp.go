package tlsconf

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"math/big"
	"os"
	"time"

	_ "crypto/sha1" // the usual CertID hash
	_ "crypto/sha256"
)

// OCSP stapling from "<crt>.ocsp": HAProxy 2.6 checks the response when
// it loads it (ssl_sock_load_ocsp_response) and, when a check fails,
// warns "Loading: <reason>. Content will be ignored." and staples
// nothing. It does not verify the response's signature. The reasons
// below are its words, in its order.

// maxOCSPSkew is OpenSSL's OCSP_MAX_RESPONSE_TIME_SKEW as HAProxy passes
// it to OCSP_check_validity.
const maxOCSPSkew = 300 * time.Second

// RFC 6960's response structures, as far as the checks read them.
type ocspResponse struct {
	Status asn1.Enumerated
	Bytes  ocspResponseBytes `asn1:"explicit,tag:0,optional"`
}

type ocspResponseBytes struct {
	Type     asn1.ObjectIdentifier
	Response []byte
}

type ocspBasicResponse struct {
	TBS       ocspResponseData
	Algorithm pkix.AlgorithmIdentifier
	Signature asn1.BitString
	Certs     []asn1.RawValue `asn1:"explicit,tag:0,optional"`
}

type ocspResponseData struct {
	Raw         asn1.RawContent
	Version     int `asn1:"optional,default:0,explicit,tag:0"`
	ResponderID asn1.RawValue
	ProducedAt  time.Time `asn1:"generalized"`
	Responses   []ocspSingleResponse
	Extensions  []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type ocspSingleResponse struct {
	CertID     ocspCertID
	Good       asn1.Flag        `asn1:"tag:0,optional"`
	Revoked    asn1.RawValue    `asn1:"tag:1,optional"`
	Unknown    asn1.Flag        `asn1:"tag:2,optional"`
	ThisUpdate time.Time        `asn1:"generalized"`
	NextUpdate time.Time        `asn1:"generalized,explicit,tag:0,optional"`
	Extensions []pkix.Extension `asn1:"explicit,tag:1,optional"`
}

type ocspCertID struct {
	HashAlgorithm pkix.AlgorithmIdentifier
	NameHash      []byte
	KeyHash       []byte
	Serial        *big.Int
}

var (
	oidOCSPBasic = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 48, 1, 1}
	ocspHashes   = map[string]crypto.Hash{
		"1.3.14.3.2.26":          crypto.SHA1,
		"2.16.840.1.101.3.4.2.1": crypto.SHA256,
		"2.16.840.1.101.3.4.2.2": crypto.SHA384,
		"2.16.840.1.101.3.4.2.3": crypto.SHA512,
	}
)

// CheckOCSP checks a DER OCSP response for leaf, issued by issuer (nil:
// the certificate ID is not compared, as HAProxy without an issuer), at
// now; the error says why HAProxy would ignore it.
func CheckOCSP(der []byte, leaf, issuer *x509.Certificate, now time.Time) error {
	var r ocspResponse
	if rest, err := asn1.Unmarshal(der, &r); err != nil || len(rest) != 0 {
		return errors.New("Unable to parse OCSP response")
	}
	if r.Status != 0 {
		return errors.New("OCSP response status not successful")
	}
	var b ocspBasicResponse
	if !r.Bytes.Type.Equal(oidOCSPBasic) {
		return errors.New("Failed to get basic response from OCSP Response")
	}
	if _, err := asn1.Unmarshal(r.Bytes.Response, &b); err != nil || len(b.TBS.Responses) == 0 {
		return errors.New("Failed to get basic response from OCSP Response")
	}
	sr := b.TBS.Responses[0]
	if !sr.Good && len(sr.Revoked.FullBytes) == 0 {
		return errors.New("OCSP single response: certificate status is unknown")
	}
	if sr.NextUpdate.IsZero() {
		return errors.New("OCSP single response: missing nextupdate")
	}
	if sr.ThisUpdate.After(now.Add(maxOCSPSkew)) || sr.NextUpdate.Before(now.Add(-maxOCSPSkew)) ||
		sr.NextUpdate.Before(sr.ThisUpdate) {
		return errors.New("OCSP single response: no longer valid.")
	}
	if issuer != nil && !certIDMatches(sr.CertID, leaf, issuer) {
		return errors.New("OCSP single response: Certificate ID does not match certificate and issuer")
	}
	return nil
}

// certIDMatches compares an OCSP certificate ID with leaf and its issuer:
// the issuer's name and key hashed with the ID's algorithm, and the serial.
func certIDMatches(id ocspCertID, leaf, issuer *x509.Certificate) bool {
	h, ok := ocspHashes[id.HashAlgorithm.Algorithm.String()]
	if !ok || !h.Available() || id.Serial == nil || id.Serial.Cmp(leaf.SerialNumber) != 0 {
		return false
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return false
	}
	name, key := h.New(), h.New()
	name.Write(issuer.RawSubject)
	key.Write(spki.Key.RightAlign())
	return bytes.Equal(name.Sum(nil), id.NameHash) && bytes.Equal(key.Sum(nil), id.KeyHash)
}

// ocspIssuer is the certificate that issued leaf: one of the chain after
// it, else the file issuerFile, "<crt>.issuer" ("": none to read; nil:
// none found).
func ocspIssuer(issuerFile string, leaf *x509.Certificate, chain [][]byte) *x509.Certificate {
	for _, der := range chain {
		if c, err := x509.ParseCertificate(der); err == nil && bytes.Equal(c.RawSubject, leaf.RawIssuer) {
			return c
		}
	}
	if issuerFile == "" {
		return nil
	}
	if data, err := os.ReadFile(issuerFile); err == nil {
		if b, _ := pem.Decode(data); b != nil && b.Type == "CERTIFICATE" {
			if c, err := x509.ParseCertificate(b.Bytes); err == nil && bytes.Equal(c.RawSubject, leaf.RawIssuer) {
				return c
			}
		}
	}
	return nil
}
