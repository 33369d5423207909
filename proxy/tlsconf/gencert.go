package tlsconf

import (
	"container/list"
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"
	"strings"
	"sync"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Forge makes the certificates of `generate-certificates`, as HAProxy 2.6
// forges them for a server name no certificate of the bind serves: the
// default certificate's public key, the CA of ca-sign-file as issuer, its
// subject plus a CN of the name as subject, valid from a day ago for a
// year, a serial from a counter started at the load time in milliseconds,
// and OpenSSL's extensions of HAProxy's list (basicConstraints CA:FALSE,
// the Netscape comment, subject and authority key identifiers, key usage,
// the name as DNS SAN), signed with SHA-256. The chain served is the
// forged certificate then the CA's. An LRU of tune.ssl.ssl-ctx-cache-size
// names keeps them (0: forged at each handshake).
type Forge struct {
	ca     *x509.Certificate
	caKey  crypto.Signer
	chain  [][]byte // the CA certificate and the rest of ca-sign-file
	key    crypto.PrivateKey
	pub    crypto.PublicKey
	size   int
	now    func() time.Time
	mu     sync.Mutex
	serial uint32
	lru    *list.List // of *forged, most recent first
	byName map[string]*list.Element
}

type forged struct {
	name string
	cert *tls.Certificate
}

// NewForge loads ca-sign-file (its key in the file or in "<file>.key")
// to forge certificates for def's key, keeping size of them.
func NewForge(caFile string, def *tls.Certificate, size int) (*Forge, error) {
	// (the CA's .ocsp, .issuer or .sctl beside it are not read: it is
	// never served)
	c, err := loadFile(caFile, &haproxy.TLSTune{NoExtra: haproxy.ExtraAll &^ haproxy.ExtraKey})
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(c.TLS.Certificate[0])
	if err != nil {
		return nil, err
	}
	caKey, ok := c.TLS.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("ca-sign-file %s: the key cannot sign", caFile)
	}
	signer, ok := def.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("generate-certificates: the default certificate's key cannot sign")
	}
	f := &Forge{ca: ca, caKey: caKey, chain: c.TLS.Certificate, key: def.PrivateKey, pub: signer.Public(),
		size: size, now: time.Now, lru: list.New(), byName: map[string]*list.Element{}}
	f.serial = uint32(time.Now().UnixMilli())
	return f, nil
}

// Get is the certificate for name (lower-cased), forged or from the LRU.
func (f *Forge) Get(name string) (*tls.Certificate, error) {
	name = strings.ToLower(name)
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.byName[name]; ok {
		f.lru.MoveToFront(e)
		return e.Value.(*forged).cert, nil
	}
	f.serial++
	cert, err := f.forge(name, f.serial)
	if err != nil || f.size <= 0 {
		return cert, err
	}
	f.byName[name] = f.lru.PushFront(&forged{name, cert})
	if f.lru.Len() > f.size {
		old := f.lru.Remove(f.lru.Back()).(*forged)
		delete(f.byName, old.name)
	}
	return cert, nil
}

var (
	oidNetscapeComment = asn1.ObjectIdentifier{2, 16, 840, 1, 113730, 1, 13}
	oidBasicConstraint = asn1.ObjectIdentifier{2, 5, 29, 19}
	oidSubjectKeyID    = asn1.ObjectIdentifier{2, 5, 29, 14}
	oidAuthorityKeyID  = asn1.ObjectIdentifier{2, 5, 29, 35}
	oidKeyUsage        = asn1.ObjectIdentifier{2, 5, 29, 15}
	oidSubjectAltName  = asn1.ObjectIdentifier{2, 5, 29, 17}
	oidCommonName      = asn1.ObjectIdentifier{2, 5, 4, 3}
)

// forge makes one certificate.
func (f *Forge) forge(name string, serial uint32) (*tls.Certificate, error) {
	now := f.now().Truncate(time.Second)
	subject, err := withCN(f.ca.RawSubject, name)
	if err != nil {
		return nil, err
	}
	pubDER, err := x509.MarshalPKIXPublicKey(f.pub)
	if err != nil {
		return nil, err
	}
	var spki struct {
		Algo      pkix.AlgorithmIdentifier
		PublicKey asn1.BitString
	}
	if _, err := asn1.Unmarshal(pubDER, &spki); err != nil {
		return nil, err
	}
	ski := sha1.Sum(spki.PublicKey.Bytes)
	exts, err := forgeExtensions(f.ca, ski[:], name)
	if err != nil {
		return nil, err
	}
	tmpl := &x509.Certificate{
		SerialNumber: new(big.Int).SetUint64(uint64(serial)),
		RawSubject:   subject,
		NotBefore:    now.Add(-24 * time.Hour), NotAfter: now.Add(365 * 24 * time.Hour),
		SubjectKeyId:    ski[:],
		ExtraExtensions: exts,
	}
	switch f.caKey.Public().(type) {
	case *ecdsa.PublicKey:
		tmpl.SignatureAlgorithm = x509.ECDSAWithSHA256
	case *rsa.PublicKey:
		tmpl.SignatureAlgorithm = x509.SHA256WithRSA
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, f.ca, f.pub, f.caKey)
	if err != nil {
		return nil, err
	}
	leaf, _ := x509.ParseCertificate(der)
	return &tls.Certificate{Certificate: append([][]byte{der}, f.chain...), PrivateKey: f.key, Leaf: leaf}, nil
}

// withCN appends an RDN CN=name (a UTF8String, as OpenSSL's
// MBSTRING_ASC entry) to a DER name, its other RDNs kept byte for byte.
func withCN(raw []byte, name string) ([]byte, error) {
	var seq asn1.RawValue
	if _, err := asn1.Unmarshal(raw, &seq); err != nil {
		return nil, err
	}
	atv, err := asn1.Marshal(struct {
		Type  asn1.ObjectIdentifier
		Value asn1.RawValue
	}{oidCommonName, asn1.RawValue{Tag: asn1.TagUTF8String, Bytes: []byte(name)}})
	if err != nil {
		return nil, err
	}
	set, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSet, IsCompound: true, Bytes: atv})
	if err != nil {
		return nil, err
	}
	return asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true,
		Bytes: append(append([]byte(nil), seq.Bytes...), set...)})
}

// forgeExtensions are HAProxy's extensions, in its order, non-critical:
// basicConstraints CA:FALSE, nsComment, subjectKeyIdentifier "hash",
// authorityKeyIdentifier "keyid,issuer:always", keyUsage
// nonRepudiation,digitalSignature,keyEncipherment, then the DNS SAN.
func forgeExtensions(ca *x509.Certificate, ski []byte, name string) ([]pkix.Extension, error) {
	comment, _ := asn1.MarshalWithParams(`"OpenSSL Generated Certificate"`, "ia5")
	skiDER, _ := asn1.Marshal(ski)
	dirName, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 4, IsCompound: true, Bytes: ca.RawIssuer})
	if err != nil {
		return nil, err
	}
	serialDER, err := asn1.Marshal(ca.SerialNumber)
	if err != nil {
		return nil, err
	}
	var serialTLV asn1.RawValue
	asn1.Unmarshal(serialDER, &serialTLV)
	var aki []byte
	var parts []asn1.RawValue
	if len(ca.SubjectKeyId) > 0 { // "keyid": the CA's own, when it has one
		parts = append(parts, asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 0, Bytes: ca.SubjectKeyId})
	}
	for _, part := range append(parts, []asn1.RawValue{
		{Class: asn1.ClassContextSpecific, Tag: 1, IsCompound: true, Bytes: dirName},
		{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: serialTLV.Bytes},
	}...) {
		b, err := asn1.Marshal(part)
		if err != nil {
			return nil, err
		}
		aki = append(aki, b...)
	}
	akiDER, err := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: aki})
	if err != nil {
		return nil, err
	}
	// digitalSignature, nonRepudiation, keyEncipherment: the first 3 bits.
	ku, _ := asn1.Marshal(asn1.BitString{Bytes: []byte{0xe0}, BitLength: 3})
	dns, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassContextSpecific, Tag: 2, Bytes: []byte(name)})
	san, _ := asn1.Marshal(asn1.RawValue{Class: asn1.ClassUniversal, Tag: asn1.TagSequence, IsCompound: true, Bytes: dns})
	return []pkix.Extension{
		{Id: oidBasicConstraint, Value: []byte{0x30, 0x00}},
		{Id: oidNetscapeComment, Value: comment},
		{Id: oidSubjectKeyID, Value: skiDER},
		{Id: oidAuthorityKeyID, Value: akiDER},
		{Id: oidKeyUsage, Value: ku},
		{Id: oidSubjectAltName, Value: san},
	}, nil
}
