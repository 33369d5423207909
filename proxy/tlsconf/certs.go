package tlsconf

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Cert is one loaded certificate with the names HAProxy indexes it under
// (its subject CN and DNS SANs, lower-cased).
type Cert struct {
	TLS   tls.Certificate
	Names []string
	Path  string
}

// LoadCrt loads a "crt" argument: a PEM file (certificate, chain and key,
// or the key in "<file>.key" beside it), or a directory whose files are
// loaded in name order, skipping the companion files HAProxy skips.
func LoadCrt(path string) ([]Cert, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("unable to stat SSL certificate from file '%s' : %v", path, err)
	}
	if !st.IsDir() {
		c, err := loadFile(path)
		if err != nil {
			return nil, err
		}
		return []Cert{c}, nil
	}
	ents, err := os.ReadDir(path)
	if err != nil {
		return nil, fmt.Errorf("unable to scan directory '%s' : %v", path, err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || strings.HasPrefix(n, ".") || skippedExt(n) {
			continue
		}
		names = append(names, n)
	}
	sort.Strings(names) // HAProxy scans with alphasort
	var out []Cert
	for _, n := range names {
		c, err := loadFile(filepath.Join(path, n))
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// skippedExt: the files beside certificates that a directory scan does not
// take for certificates.
func skippedExt(name string) bool {
	for _, ext := range []string{".key", ".ocsp", ".issuer", ".sctl"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

func loadFile(path string) (Cert, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Cert{}, fmt.Errorf("unable to load SSL certificate from file '%s' : %v", path, err)
	}
	certPEM, keyPEM := split(data)
	if len(certPEM) == 0 {
		return Cert{}, fmt.Errorf("unable to load certificate from file '%s'", path)
	}
	if len(keyPEM) == 0 {
		if kd, err := os.ReadFile(path + ".key"); err == nil {
			_, keyPEM = split(kd)
		}
		if len(keyPEM) == 0 {
			return Cert{}, fmt.Errorf("no private key found in '%s' nor in '%s.key'", path, path)
		}
	}
	tc, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return Cert{}, fmt.Errorf("inconsistencies between private key and certificate loaded '%s': %v", path, err)
	}
	leaf, err := x509.ParseCertificate(tc.Certificate[0])
	if err != nil {
		return Cert{}, fmt.Errorf("unable to load certificate from file '%s': %v", path, err)
	}
	tc.Leaf = leaf
	return Cert{TLS: tc, Names: certNames(leaf), Path: path}, nil
}

// split separates the certificates (in order: leaf then chain) from the
// first private key of a PEM file.
func split(data []byte) (certs, key []byte) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return certs, key
		}
		switch {
		case b.Type == "CERTIFICATE" || b.Type == "TRUSTED CERTIFICATE":
			certs = append(certs, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: b.Bytes})...)
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && key == nil:
			key = pem.EncodeToMemory(b)
		}
	}
}

// certNames are the names HAProxy indexes a certificate under when no
// crt-list filter is given: the subject's CNs, then the DNS SANs.
func certNames(c *x509.Certificate) []string {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		n = strings.ToLower(n)
		if n != "" && !seen[n] {
			seen[n] = true
			out = append(out, n)
		}
	}
	for _, a := range c.Subject.Names {
		if a.Type.Equal([]int{2, 5, 4, 3}) {
			if s, ok := a.Value.(string); ok {
				add(s)
			}
		}
	}
	for _, n := range c.DNSNames {
		add(n)
	}
	return out
}

// Store selects the certificate for a ClientHello as HAProxy does: the
// exact server name first, then a wildcard "*.rest" for a name whose first
// label is dropped (one label only: "*.example.com" matches
// "a.example.com", not "a.b.example.com" nor "example.com"); among the
// matches an ECDSA certificate when the client can use it, else the first
// one; no SNI or no match gives the default, the first certificate loaded.
type Store struct {
	// Strict is strict-sni: no default, a name without a certificate
	// (or no name) ends the handshake.
	Strict bool
	def    *tls.Certificate
	exact  map[string][]*tls.Certificate
	suffix map[string][]*tls.Certificate // "*.example.com" under ".example.com"
}

// NewStore indexes certs; the first is the default.
func NewStore(certs []Cert) (*Store, error) {
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	s := &Store{exact: map[string][]*tls.Certificate{}, suffix: map[string][]*tls.Certificate{}}
	for i := range certs {
		c := &certs[i].TLS
		if s.def == nil {
			s.def = c
		}
		for _, n := range certs[i].Names {
			if strings.HasPrefix(n, "*.") {
				s.suffix[n[1:]] = append(s.suffix[n[1:]], c)
			} else {
				s.exact[n] = append(s.exact[n], c)
			}
		}
	}
	return s, nil
}

// Candidates are the certificates indexed for a server name, exact names
// before wildcards (nil: the default applies).
func (s *Store) Candidates(name string) []*tls.Certificate {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	if name == "" {
		return nil
	}
	if c := s.exact[name]; len(c) > 0 {
		return c
	}
	if i := strings.IndexByte(name, '.'); i >= 0 {
		return s.suffix[name[i:]]
	}
	return nil
}

// Get is tls.Config.GetCertificate.
func (s *Store) Get(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
	cands := s.Candidates(h.ServerName)
	if len(cands) == 0 {
		if s.Strict {
			return nil, fmt.Errorf("no certificate for %q (strict-sni)", h.ServerName)
		}
		return s.def, nil
	}
	for _, c := range cands {
		if _, ok := c.PrivateKey.(*ecdsa.PrivateKey); ok && h.SupportsCertificate(c) == nil {
			return c, nil
		}
	}
	for _, c := range cands {
		if h.SupportsCertificate(c) == nil {
			return c, nil
		}
	}
	return cands[0], nil
}
