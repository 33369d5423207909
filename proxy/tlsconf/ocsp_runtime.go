package tlsconf

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"errors"
	"math/big"
	"sort"
	"time"
)

// The runtime API's `show ssl ocsp-response` and `set ssl ocsp-response`:
// HAProxy 2.6 keeps each stapled response under the DER of its
// certificate ID (SHA-1 of the issuer's name and key, and the serial),
// which it computes from the certificate and its issuer when it loads
// the response; `set` finds the entry by the ID inside the new response.

// OCSPEntry is one stapled response as `show ssl ocsp-response` lists it.
type OCSPEntry struct {
	Key      []byte // DER of the certificate ID
	NameHash []byte
	KeyHash  []byte
	Serial   *big.Int
	Response []byte // the stapled DER response
}

var oidSHA1 = asn1.ObjectIdentifier{1, 3, 14, 3, 2, 26}

// sha1CertID is the certificate ID of leaf issued by issuer, as
// OCSP_cert_to_id makes it (SHA-1, NULL parameters).
func sha1CertID(leaf, issuer *x509.Certificate) (ocspCertID, []byte, bool) {
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(issuer.RawSubjectPublicKeyInfo, &spki); err != nil {
		return ocspCertID{}, nil, false
	}
	name, key := sha1.Sum(issuer.RawSubject), sha1.Sum(spki.Key.RightAlign())
	id := ocspCertID{HashAlgorithm: pkix.AlgorithmIdentifier{Algorithm: oidSHA1, Parameters: asn1.NullRawValue},
		NameHash: name[:], KeyHash: key[:], Serial: leaf.SerialNumber}
	der, err := asn1.Marshal(id)
	return id, der, err == nil
}

// OCSPKey is the key of c's stapled response (`show ssl cert`'s "OCSP
// Response Key"; nil: none is stapled or its issuer is unknown).
func OCSPKey(c *Cert) []byte {
	if c == nil || len(c.TLS.OCSPStaple) == 0 || c.TLS.Leaf == nil {
		return nil
	}
	issuer := ocspIssuer(c.Path+".issuer", c.TLS.Leaf, c.chainFull())
	if issuer == nil {
		return nil
	}
	_, der, _ := sha1CertID(c.TLS.Leaf, issuer)
	return der
}

// ocspEntries are the Registry's certificates with a stapled response
// and a known issuer, by key; the caller holds r.mu.
func (r *Registry) ocspEntries() map[string]*ckch {
	out := map[string]*ckch{}
	for _, ck := range r.certs {
		if der := OCSPKey(ck.cert); der != nil {
			out[string(der)] = ck
		}
	}
	return out
}

// OCSPResponses lists the stapled responses in key order.
func (r *Registry) OCSPResponses() []OCSPEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []OCSPEntry
	for key, ck := range r.ocspEntries() {
		var id ocspCertID
		if _, err := asn1.Unmarshal([]byte(key), &id); err != nil {
			continue
		}
		out = append(out, OCSPEntry{Key: []byte(key), NameHash: id.NameHash, KeyHash: id.KeyHash, Serial: id.Serial,
			Response: ck.cert.TLS.OCSPStaple})
	}
	sort.Slice(out, func(i, j int) bool { return bytes.Compare(out[i].Key, out[j].Key) < 0 })
	return out
}

// ErrOCSPNoMatch: the response's certificate ID is no stapled
// certificate's.
var ErrOCSPNoMatch = errors.New("OCSP single response: Certificate ID does not match any certificate or issuer")

// SetOCSPResponse replaces the stapled response of the certificate the
// response is for (`set ssl ocsp-response`); the next handshake of every
// bind serving it staples the new one. The error says why HAProxy would
// refuse it.
func (r *Registry) SetOCSPResponse(der []byte, now time.Time) error {
	var resp ocspResponse
	if rest, err := asn1.Unmarshal(der, &resp); err != nil || len(rest) != 0 {
		return errors.New("Unable to parse OCSP response")
	}
	var key []byte
	var b ocspBasicResponse
	if resp.Status == 0 && resp.Bytes.Type.Equal(oidOCSPBasic) {
		if _, err := asn1.Unmarshal(resp.Bytes.Response, &b); err == nil && len(b.TBS.Responses) > 0 {
			key, _ = asn1.Marshal(b.TBS.Responses[0].CertID)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := CheckOCSP(der, nil, nil, now); err != nil {
		return err
	}
	ck := r.ocspEntries()[string(key)]
	if ck == nil {
		return ErrOCSPNoMatch
	}
	c := *ck.cert // handshakes in flight keep the old one
	c.TLS.OCSPStaple = append([]byte(nil), der...)
	ck.cert = &c
	rebuildStores(ck.insts)
	return nil
}
