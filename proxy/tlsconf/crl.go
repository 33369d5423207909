package tlsconf

import (
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"time"
)

// Revoked is a crl-file: the certificate revocation lists of the CAs.
// HAProxy turns on OpenSSL's CRL check for the whole chain
// (X509_V_FLAG_CRL_CHECK|X509_V_FLAG_CRL_CHECK_ALL): every certificate of
// a verified chain but its root must have a CRL from its issuer in the
// file, and must not be listed in it.
type Revoked struct {
	lists []*x509.RevocationList
}

// LoadCRL reads the PEM (or DER) revocation lists of a crl-file.
func LoadCRL(path string) (*Revoked, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("crl-file %s: %v", path, err)
	}
	r, err := ParseCRLs(data)
	if err != nil {
		return nil, fmt.Errorf("crl-file %s: %v", path, err)
	}
	return r, nil
}

// ParseCRLs reads revocation lists: PEM "X509 CRL" blocks, or one DER list.
func ParseCRLs(data []byte) (*Revoked, error) {
	r := &Revoked{}
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if b.Type != "X509 CRL" {
			continue
		}
		l, err := x509.ParseRevocationList(b.Bytes)
		if err != nil {
			return nil, err
		}
		r.lists = append(r.lists, l)
	}
	if len(r.lists) == 0 {
		l, err := x509.ParseRevocationList(data)
		if err != nil {
			return nil, errors.New("no certificate revocation list")
		}
		r.lists = append(r.lists, l)
	}
	return r, nil
}

// Check reports the first certificate of the first chain that is revoked
// or has no valid CRL, in OpenSSL's words; nil when the chain passes.
func (r *Revoked) Check(chains [][]*x509.Certificate) error {
	return r.CheckAt(chains, time.Now())
}

// CheckAt is Check at a given time (tests).
func (r *Revoked) CheckAt(chains [][]*x509.Certificate, now time.Time) error {
	if len(chains) == 0 {
		return nil
	}
	chain := chains[0]
	for i := 0; i+1 < len(chain); i++ {
		if err := r.checkOne(chain[i], chain[i+1], now); err != nil {
			return err
		}
	}
	return nil
}

func (r *Revoked) checkOne(c, issuer *x509.Certificate, now time.Time) error {
	var found *x509.RevocationList
	for _, l := range r.lists {
		if string(l.RawIssuer) == string(issuer.RawSubject) && l.CheckSignatureFrom(issuer) == nil {
			found = l
			break
		}
	}
	if found == nil {
		return errors.New("unable to get certificate CRL")
	}
	if now.Before(found.ThisUpdate) {
		return errors.New("CRL is not yet valid")
	}
	if !found.NextUpdate.IsZero() && now.After(found.NextUpdate) {
		return errors.New("CRL has expired")
	}
	for _, e := range found.RevokedCertificateEntries {
		if e.SerialNumber.Cmp(c.SerialNumber) == 0 {
			return errors.New("certificate revoked")
		}
	}
	return nil
}
