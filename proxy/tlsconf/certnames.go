package tlsconf

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"strconv"

	"golang.org/x/crypto/cryptobyte"
	cbasn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// sigAlgSN are OpenSSL 3.0's short names (OBJ_nid2sn) of the signature
// algorithms a certificate can be signed with, by OID. HAProxy writes
// them in ssl_*_sig_alg and the PROXY v2 cert-sig TLV.
var sigAlgSN = map[string]string{
	"1.2.840.113549.1.1.2": "RSA-MD2", "1.2.840.113549.1.1.3": "RSA-MD4", "1.2.840.113549.1.1.4": "RSA-MD5",
	"1.2.840.113549.1.1.5": "RSA-SHA1", "1.2.840.113549.1.1.10": "RSASSA-PSS",
	"1.2.840.113549.1.1.11": "RSA-SHA256", "1.2.840.113549.1.1.12": "RSA-SHA384", "1.2.840.113549.1.1.13": "RSA-SHA512",
	"1.2.840.113549.1.1.14": "RSA-SHA224", "1.2.840.113549.1.1.15": "RSA-SHA512/224", "1.2.840.113549.1.1.16": "RSA-SHA512/256",
	"2.16.840.1.101.3.4.3.1": "dsa_with_SHA224", "2.16.840.1.101.3.4.3.2": "dsa_with_SHA256",
	"2.16.840.1.101.3.4.3.3": "id-dsa-with-sha384", "2.16.840.1.101.3.4.3.4": "id-dsa-with-sha512",
	"2.16.840.1.101.3.4.3.5": "id-dsa-with-sha3-224", "2.16.840.1.101.3.4.3.6": "id-dsa-with-sha3-256",
	"2.16.840.1.101.3.4.3.7": "id-dsa-with-sha3-384", "2.16.840.1.101.3.4.3.8": "id-dsa-with-sha3-512",
	"2.16.840.1.101.3.4.3.9": "id-ecdsa-with-sha3-224", "2.16.840.1.101.3.4.3.10": "id-ecdsa-with-sha3-256",
	"2.16.840.1.101.3.4.3.11": "id-ecdsa-with-sha3-384", "2.16.840.1.101.3.4.3.12": "id-ecdsa-with-sha3-512",
	"2.16.840.1.101.3.4.3.13": "id-rsassa-pkcs1-v1_5-with-sha3-224", "2.16.840.1.101.3.4.3.14": "id-rsassa-pkcs1-v1_5-with-sha3-256",
	"2.16.840.1.101.3.4.3.15": "id-rsassa-pkcs1-v1_5-with-sha3-384", "2.16.840.1.101.3.4.3.16": "id-rsassa-pkcs1-v1_5-with-sha3-512",
	"1.2.840.10040.4.3": "DSA-SHA1", "1.3.14.3.2.27": "DSA-SHA1-old", "1.3.14.3.2.13": "DSA-SHA",
	"1.3.14.3.2.29": "RSA-SHA1-2", "1.3.14.3.2.3": "RSA-NP-MD5", "1.3.14.3.2.15": "RSA-SHA",
	"1.2.840.10045.4.1": "ecdsa-with-SHA1", "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
	"1.2.840.10045.4.3.2": "ecdsa-with-SHA256", "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
	"1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
	"1.3.101.112":         "ED25519", "1.3.101.113": "ED448",
	"1.2.156.10197.1.501": "SM2-SM3", "1.3.36.3.3.1.2": "RSA-RIPEMD160",
}

// SigAlgName is the OpenSSL short name of the algorithm a certificate's
// issuer signed it with, read as OpenSSL reads it: from the
// TBSCertificate's own signature field. An OID outside the table is
// "UNDEF", OpenSSL's name for an object it does not know (the GOST
// signatures, which OpenSSL names, are among those).
func SigAlgName(c *x509.Certificate) string {
	oid, ok := tbsSigAlg(c.RawTBSCertificate)
	if !ok {
		return "UNDEF"
	}
	if n, ok := sigAlgSN[oid.String()]; ok {
		return n
	}
	return "UNDEF"
}

// tbsSigAlg reads the signature AlgorithmIdentifier's OID of a DER
// TBSCertificate: SEQUENCE { [0] version OPTIONAL, serial INTEGER,
// signature AlgorithmIdentifier, ... }.
func tbsSigAlg(der []byte) (asn1.ObjectIdentifier, bool) {
	in := cryptobyte.String(der)
	var tbs, alg cryptobyte.String
	var oid asn1.ObjectIdentifier
	ok := in.ReadASN1(&tbs, cbasn1.SEQUENCE) &&
		tbs.SkipOptionalASN1(cbasn1.Tag(0).Constructed().ContextSpecific()) &&
		tbs.SkipASN1(cbasn1.INTEGER) &&
		tbs.ReadASN1(&alg, cbasn1.SEQUENCE) &&
		alg.ReadASN1ObjectIdentifier(&oid)
	return oid, ok
}

// keyAlgSN are OpenSSL's short names of the public key algorithms.
var keyAlgSN = map[x509.PublicKeyAlgorithm]string{
	x509.RSA: "rsaEncryption", x509.ECDSA: "id-ecPublicKey", x509.DSA: "DSA", x509.Ed25519: "ED25519",
}

// KeyAlgName is the OpenSSL short name of a certificate's public key
// algorithm (ssl_*_key_alg); false: one Go does not parse.
func KeyAlgName(c *x509.Certificate) (string, bool) {
	n, ok := keyAlgSN[c.PublicKeyAlgorithm]
	return n, ok
}

// PKeyAlgo is the key of a certificate as HAProxy's PROXY v2 cert-key
// TLV writes it (ssl_sock_get_pkey_algo): "RSA" or "EC" followed by the
// key's size in bits (OpenSSL's EVP_PKEY_bits: the modulus, or the
// curve's order); "" for any other key (Ed25519), which gets no TLV. DSA
// keys, which HAProxy writes "DSA<bits>", cannot be served by Go's TLS.
func PKeyAlgo(c *x509.Certificate) string {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA" + strconv.Itoa(k.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC" + strconv.Itoa(k.Curve.Params().N.BitLen())
	}
	return ""
}

// Leaf is the certificate a tls.Certificate serves (its Leaf, or its
// first DER block parsed); nil if none.
func Leaf(c *tls.Certificate) *x509.Certificate {
	if c == nil || len(c.Certificate) == 0 {
		return nil
	}
	if c.Leaf != nil {
		return c.Leaf
	}
	l, err := x509.ParseCertificate(c.Certificate[0])
	if err != nil {
		return nil
	}
	return l
}
