package tlsconf

import (
	"bytes"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/goha-lb/goha/parser/haproxy"
)

// The global settings that change what is loaded beside a crt and the
// chain a certificate is sent with (parser/haproxy TLSTune):
// ssl-load-extra-files and ssl-load-extra-del-ext (which companion files
// are read, under which name), issuers-chain-path (the chain of a
// certificate loaded without one) and ssl-skip-self-issued-ca (a root
// left out of the chain sent), as HAProxy 2.6 loads certificates.

// loadTune is a TLSTune with the loader's methods (the zero value: HAProxy's
// defaults).
type loadTune struct{ haproxy.TLSTune }

func tuneOf(t *haproxy.TLSTune) loadTune {
	if t == nil {
		return loadTune{}
	}
	return loadTune{*t}
}

// ocspIssuer is the issuer an OCSP response of crt is checked against:
// one of chain, else the ".issuer" companion when it is loaded.
func (o loadTune) ocspIssuer(crt string, leaf *x509.Certificate, chain [][]byte) *x509.Certificate {
	file := ""
	if o.NoExtra&haproxy.ExtraIssuer == 0 {
		file = o.CompanionPath(crt, ".issuer")
	}
	return ocspIssuer(file, leaf, chain)
}

// companions completes a loaded certificate: its ".sctl" signed
// certificate timestamps, its chain from issuers-chain-path when the file
// has none, self-issued CAs left out of the chain sent.
func (o loadTune) companions(c *Cert) error {
	if o.NoExtra&haproxy.ExtraSCTL == 0 {
		p := o.CompanionPath(c.Path, ".sctl")
		if data, err := os.ReadFile(p); err == nil {
			scts, ok := parseSCTList(data)
			if !ok {
				return fmt.Errorf("'%s.sctl' is present but cannot be read or parsed'", p) // sic: HAProxy 2.6 names it so
			}
			c.TLS.SignedCertificateTimestamps = scts
		}
	}
	return o.chainOnly(c)
}

// chainOnly completes the chain of a certificate (issuers-chain-path) and
// leaves self-issued CAs out of it (ssl-skip-self-issued-ca); a `set ssl
// cert` payload too.
func (o loadTune) chainOnly(c *Cert) error {
	if c.chainSet {
		c.TLS.Certificate = append([][]byte{c.TLS.Certificate[0]}, c.fileChain...)
		c.fileChain, c.full, c.chainSet, c.issuerFile = nil, nil, false, ""
	}
	file := c.TLS.Certificate[1:]
	chain, issuerFile := file, ""
	if len(chain) == 0 {
		issuerFile, chain = o.issuerChain(c.TLS.Leaf)
	}
	full := chain
	if o.SkipSelfIssuedCA {
		var kept [][]byte
		for _, der := range chain {
			if x, err := x509.ParseCertificate(der); err == nil && bytes.Equal(x.RawSubject, x.RawIssuer) {
				continue
			}
			kept = append(kept, der)
		}
		chain = kept
	}
	if len(chain) == len(file) && len(full) == len(file) {
		return nil // sent as in the file
	}
	c.fileChain, c.full, c.chainSet, c.issuerFile = file, full, true, issuerFile
	c.TLS.Certificate = append([][]byte{c.TLS.Certificate[0]}, chain...)
	return nil
}

// issuerChain is the issuers-chain-path chain of leaf and its file: the
// one whose first certificate's subject key identifier is leaf's
// authority key identifier and which issued it (names and key usage, as
// X509_check_issued); nil: none.
func (o loadTune) issuerChain(leaf *x509.Certificate) (string, [][]byte) {
	if leaf == nil || len(leaf.AuthorityKeyId) == 0 {
		return "", nil
	}
	for _, ic := range o.Issuers {
		if !bytes.Equal(ic.SKID, leaf.AuthorityKeyId) {
			continue
		}
		first, err := x509.ParseCertificate(ic.Certs[0])
		if err != nil || !bytes.Equal(first.RawSubject, leaf.RawIssuer) {
			return "", nil
		}
		if first.KeyUsage != 0 && first.KeyUsage&x509.KeyUsageCertSign == 0 {
			return "", nil
		}
		return ic.Path, ic.Certs
	}
	return "", nil
}

// parseSCTList reads a ".sctl" file: a SignedCertificateTimestampList
// (RFC 6962: a 2-byte length, then SCTs each after its 2-byte length),
// the whole file and nothing else, as HAProxy checks it.
func parseSCTList(data []byte) ([][]byte, bool) {
	if len(data) < 2 || int(data[0])<<8|int(data[1]) != len(data)-2 {
		return nil, false
	}
	var out [][]byte
	for rest := data[2:]; len(rest) > 0; {
		if len(rest) < 2 {
			return nil, false
		}
		n := int(rest[0])<<8 | int(rest[1])
		if len(rest) < 2+n {
			return nil, false
		}
		out = append(out, rest[2:2+n])
		rest = rest[2+n:]
	}
	return out, true
}

// ShowChain is the chain `show ssl cert` lists: the file's own, else the
// issuers-chain-path file that completes it (and that file's name: its
// "Chain Filename"), self-issued CAs included whatever
// ssl-skip-self-issued-ca leaves out of the chain sent, as HAProxy 2.6.
func (c *Cert) ShowChain() (issuerFile string, chain [][]byte) {
	if !c.chainSet {
		return "", c.TLS.Certificate[1:]
	}
	if len(c.fileChain) > 0 || c.issuerFile == "" {
		return "", c.fileChain
	}
	return c.issuerFile, c.full
}

// chainFull is the chain before self-issued CAs are left out.
func (c *Cert) chainFull() [][]byte {
	if c.chainSet {
		return c.full
	}
	return c.TLS.Certificate[1:]
}
