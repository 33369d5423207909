package tlsconf

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"time"
)

// Client certificate verification as OpenSSL 3 reports it to HAProxy's
// verify callback, for binds with ca-ignore-err or crt-ignore-err: each
// error comes with the depth of the certificate it is about (0: the
// client's own, deeper: its chain), an error listed in the matching
// ignore set lets the handshake go on, and the fetches ssl_c_verify,
// ssl_c_err, ssl_c_ca_err and ssl_c_ca_err_depth report them. The order
// and the codes are OpenSSL's, checked beside HAProxy 2.6 on expired,
// not yet valid, self-signed, unknown-issuer and broken chains
// (TestIgnoreErrDifferential).

// OpenSSL's X509_V_ERR codes goha reports.
const (
	ErrCertNotYetValid          = 9
	ErrCertHasExpired           = 10
	ErrDepthZeroSelfSigned      = 18
	ErrSelfSignedCertInChain    = 19
	ErrUnableToGetIssuerLocally = 20
	ErrUnableToVerifyLeafSig    = 21
	ErrInvalidCA                = 24
	ErrInvalidPurpose           = 26
)

// VerifyResult is what HAProxy keeps of a client certificate's
// verification: the last error (ssl_c_verify), the first error at depth 0
// (ssl_c_err), the first deeper one and its depth (ssl_c_ca_err,
// ssl_c_ca_err_depth). All zero: verified, or no certificate.
type VerifyResult struct {
	Verify, Err, CAErr, CAErrDepth int
}

// ClientVerify verifies client certificates against a bind's ca-file,
// with its ignore sets: CAIgnore for errors at depth > 0, CrtIgnore for
// the client certificate's own.
type ClientVerify struct {
	Roots               []*x509.Certificate
	CAIgnore, CrtIgnore IgnoreSet
	// live, when set, is the Registry's ca-file: its content as last
	// committed replaces Roots (`set ssl ca-file` + `commit`)
	live *caStore
}

// roots are the certificates verification trusts now.
func (v *ClientVerify) roots() []*x509.Certificate {
	if v.live != nil {
		if r := v.live.roots.Load(); r != nil {
			return *r
		}
	}
	return v.Roots
}

// IgnoreSet is the OpenSSL verify error codes an ignore-err option lists.
type IgnoreSet struct {
	All   bool
	codes [2]uint64
}

// Add adds code (0..127) to the set.
func (s *IgnoreSet) Add(code int) { s.codes[code/64&1] |= 1 << (code % 64) }

// Has: code is ignored.
func (s IgnoreSet) Has(code int) bool {
	return s.All || (code >= 0 && code < 128 && s.codes[code/64]&(1<<(code%64)) != 0)
}

// verifyError is one error of a verification and its depth.
type verifyError struct{ code, depth int }

// Check verifies chain (the client's certificates as sent, leaf first)
// at now: the result, and an error when an error that is not ignored
// ends the handshake.
func (v *ClientVerify) Check(sent []*x509.Certificate, now time.Time) (VerifyResult, error) {
	var res VerifyResult
	if len(sent) == 0 {
		return res, nil
	}
	seenErr, seenCA := false, false
	for _, e := range v.errors(sent, now) {
		res.Verify = e.code
		ignore := v.CrtIgnore
		if e.depth > 0 {
			ignore = v.CAIgnore
			if !seenCA {
				seenCA, res.CAErr, res.CAErrDepth = true, e.code, e.depth
			}
		} else if !seenErr {
			seenErr, res.Err = true, e.code
		}
		if !ignore.Has(e.code) {
			return res, fmt.Errorf("client certificate verification failed: error %d at depth %d", e.code, e.depth)
		}
	}
	return res, nil
}

// errors lists a chain's errors in OpenSSL's order: building the chain,
// the extensions, then each certificate's dates from the top down.
func (v *ClientVerify) errors(sent []*x509.Certificate, now time.Time) []verifyError {
	var errs []verifyError
	chain := []*x509.Certificate{sent[0]}
	for {
		top := chain[len(chain)-1]
		d := len(chain) - 1
		if selfSigned(top) {
			if !v.trusted(top) {
				code := ErrSelfSignedCertInChain
				if d == 0 {
					code = ErrDepthZeroSelfSigned
				}
				errs = append(errs, verifyError{code, d})
			}
			break
		}
		if root := issuerIn(top, v.roots()); root != nil {
			chain = append(chain, root)
			break
		}
		if next := issuerIn(top, sent[1:]); next != nil && len(chain) < 10 {
			chain = append(chain, next)
			continue
		}
		errs = append(errs, verifyError{ErrUnableToGetIssuerLocally, d})
		if d == 0 {
			// The leaf's signature cannot be checked: OpenSSL stops
			// there, before the dates.
			return append(errs, verifyError{ErrUnableToVerifyLeafSig, 0})
		}
		break
	}
	for d, c := range chain {
		if d > 0 && !(c.BasicConstraintsValid && c.IsCA) {
			errs = append(errs, verifyError{ErrInvalidCA, d})
		}
	}
	if !clientPurpose(chain[0]) {
		errs = append(errs, verifyError{ErrInvalidPurpose, 0})
	}
	for d := len(chain) - 1; d >= 0; d-- {
		switch c := chain[d]; {
		case now.Before(c.NotBefore):
			errs = append(errs, verifyError{ErrCertNotYetValid, d})
		case now.After(c.NotAfter):
			errs = append(errs, verifyError{ErrCertHasExpired, d})
		}
	}
	return errs
}

// clientPurpose is OpenSSL's "sslclient" purpose check of the leaf: an
// extended key usage, when present, must allow client authentication.
func clientPurpose(c *x509.Certificate) bool {
	if len(c.ExtKeyUsage) == 0 && len(c.UnknownExtKeyUsage) == 0 {
		return true
	}
	for _, u := range c.ExtKeyUsage {
		if u == x509.ExtKeyUsageClientAuth || u == x509.ExtKeyUsageAny {
			return true
		}
	}
	return false
}

// selfSigned: c names itself as issuer and its key signed it (a CA flag
// is not needed: OpenSSL reports a self-signed leaf as such).
func selfSigned(c *x509.Certificate) bool {
	return signedBy(c, c)
}

// signedBy: p's name is c's issuer and p's key signed c. The CA flag is
// checked later, as OpenSSL does (ErrInvalidCA).
func signedBy(c, p *x509.Certificate) bool {
	return bytes.Equal(p.RawSubject, c.RawIssuer) && p.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// trusted: c is one of the ca-file's certificates.
func (v *ClientVerify) trusted(c *x509.Certificate) bool {
	for _, r := range v.roots() {
		if r.Equal(c) {
			return true
		}
	}
	return false
}

// issuerIn is the certificate of set that issued c, or nil.
func issuerIn(c *x509.Certificate, set []*x509.Certificate) *x509.Certificate {
	for _, p := range set {
		if signedBy(c, p) {
			return p
		}
	}
	return nil
}
