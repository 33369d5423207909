package tlsconf

import (
	"crypto/ecdsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync/atomic"
	"time"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Cert is one loaded certificate with the names HAProxy indexes it under
// (its subject CN and DNS SANs, lower-cased).
type Cert struct {
	TLS   tls.Certificate
	Names []string
	Path  string
	// Warning is what HAProxy warns of it when loading it ("": nothing),
	// an OCSP response left out (ocsp.go).
	Warning string
	// fileChain is the chain of the file when the one sent differs from
	// it (issuers-chain-path, ssl-skip-self-issued-ca: loadopts.go), as
	// `show ssl cert` lists it; nil: TLS.Certificate[1:]. full is the
	// chain before self-issued CAs are left out (nil: the one sent).
	fileChain, full [][]byte
	chainSet        bool
	issuerFile      string // the issuers-chain-path file completing it
}

// LoadCrt loads a "crt" argument: a PEM file (certificate, chain and key,
// or the key in "<file>.key" beside it), or a directory whose files are
// loaded in name order, skipping the companion files HAProxy skips.
func LoadCrt(path string) ([]Cert, error) { return loadCrt(path, nil) }

// loadCrt is LoadCrt with the global settings of the companion files and
// chains (nil: HAProxy's defaults; loadopts.go).
func loadCrt(path string, t *haproxy.TLSTune) ([]Cert, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("unable to stat SSL certificate from file '%s' : %v", path, err)
	}
	if !st.IsDir() {
		c, err := loadServed(path, t)
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
		c, err := loadServed(filepath.Join(path, n), t)
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

func loadFile(path string, t *haproxy.TLSTune) (Cert, error) {
	o := tuneOf(t)
	data, err := os.ReadFile(path)
	if err != nil {
		return Cert{}, fmt.Errorf("unable to load SSL certificate from file '%s' : %v", path, err)
	}
	certPEM, keyPEM := split(data)
	if len(certPEM) == 0 {
		return Cert{}, fmt.Errorf("unable to load certificate from file '%s'", path)
	}
	if len(keyPEM) == 0 {
		if o.NoExtra&haproxy.ExtraKey != 0 {
			return Cert{}, fmt.Errorf("No Private Key found in '%s'.", path)
		}
		keyPath := o.CompanionPath(path, ".key")
		if kd, err := os.ReadFile(keyPath); err == nil {
			_, keyPEM = split(kd)
		}
		if len(keyPEM) == 0 {
			return Cert{}, fmt.Errorf("no private key found in '%s' nor in '%s'", path, keyPath)
		}
	}
	tc, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return Cert{}, fmt.Errorf("inconsistencies between private key and certificate loaded '%s': %v", path, err)
	}
	c, err := finishCert(path, tc)
	if err != nil {
		return Cert{}, err
	}
	if err := o.companions(&c); err != nil { // loadopts.go: .sctl, chain
		return Cert{}, err
	}
	// OCSP stapling: a DER response in "<file>.ocsp" beside the
	// certificate is sent to clients asking for it (status_request),
	// once it passes HAProxy's checks.
	if o.NoExtra&haproxy.ExtraOCSP == 0 {
		if ocsp, err := os.ReadFile(o.CompanionPath(path, ".ocsp")); err == nil {
			issuer := o.ocspIssuer(path, c.TLS.Leaf, c.chainFull())
			if issuer == nil {
				return Cert{}, fmt.Errorf("'%s' is present and activates OCSP but it is impossible to compute the OCSP certificate ID (maybe the issuer could not be found)'", o.CompanionPath(path, ".ocsp"))
			}
			if err := CheckOCSP(ocsp, c.TLS.Leaf, issuer, time.Now()); err != nil {
				c.Warning = "Loading: " + err.Error() + ". Content will be ignored."
			} else {
				c.TLS.OCSPStaple = ocsp
			}
		}
	}
	return c, nil
}

// finishCert parses the leaf of a key pair and names it; an RSA key signs
// by OpenSSL when libcrypto loads (rsasign.go).
func finishCert(path string, tc tls.Certificate) (Cert, error) {
	leaf, err := x509.ParseCertificate(tc.Certificate[0])
	if err != nil {
		return Cert{}, fmt.Errorf("unable to load certificate from file '%s': %v", path, err)
	}
	tc.Leaf = leaf
	tc.PrivateKey = fastKey(tc.PrivateKey)
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
		case strings.HasSuffix(b.Type, "PRIVATE KEY") && key == nil && !encryptedKey(b):
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

// Store selects the certificate for a ClientHello as HAProxy 2.6 does:
// the entries indexed under the exact server name, then those whose
// wildcard "*.rest" covers it with the first label dropped (one label
// only: "*.example.com" matches "a.example.com", not "a.b.example.com"
// nor "example.com"), skipping a wildcard whose crt-list line excludes the
// name ("!name"); among them an ECDSA certificate when the client can use
// it, else the first one; no SNI or no match gives the default, the first
// certificate loaded.
//
// Its index is swapped whole (atomically) when the runtime API commits
// a certificate or edits a crt-list (ckch.go): a handshake sees the old
// or the new index, never a half-built one.
type Store struct {
	// Strict is strict-sni: no default, a name without a certificate
	// (or no name) ends the handshake.
	Strict bool
	// Forge, with generate-certificates, makes the certificate of a
	// name no entry serves (nil: none is made).
	Forge *Forge
	idx   atomic.Pointer[storeIndex]
	// insts are the certificates the store serves, in load order (the
	// first is the default); changed under the Registry's lock only.
	insts []*storeInst
	// maxVersion is the bind's highest TLS version (0: Go's, TLS 1.3).
	maxVersion uint16
}

// storeIndex is one state of a Store's SNI index.
type storeIndex struct {
	def    *sniEntry
	exact  map[string][]*sniEntry
	suffix map[string][]*sniEntry // "*.example.com" under ".example.com"
}

// sniEntry is one certificate under its names, with the settings of its
// crt-list line (conf nil: the bind's own).
type sniEntry struct {
	cert *tls.Certificate
	conf *tls.Config
	neg  map[string]bool // "!name" filters of its crt-list line
	// tls13 is cert without its signed certificate timestamps, served in
	// TLS 1.3 (nil: it has none; sct.go)
	tls13 *tls.Certificate
}

// storeInst is one certificate a Store serves: a certificate of the
// Registry (ck) or a fixed one, under the names of its crt-list line
// (nil: its own), with the settings of that line (base, without the
// certificate; nil: the bind's).
type storeInst struct {
	ck    *ckch
	fixed *tls.Certificate
	conf  *tls.Config // fixed's ready settings
	names []string
	base  *tls.Config
	entry *crtListEntry
	st    *Store // the store serving it (Registry certificates)
}

// NewStore indexes certs under their own names; the first is the default.
func NewStore(certs []Cert) (*Store, error) {
	if len(certs) == 0 {
		return nil, fmt.Errorf("no certificate")
	}
	s := &Store{}
	for i := range certs {
		s.Add(&certs[i].TLS, certs[i].Names, nil)
	}
	return s, nil
}

// Add indexes a certificate under names (lower-case; "!name" excludes a
// name, as a crt-list filter does), with the settings conf (nil: the
// bind's). The first certificate added is the default.
func (s *Store) Add(c *tls.Certificate, names []string, conf *tls.Config) {
	s.insts = append(s.insts, &storeInst{fixed: c, conf: conf, names: names})
	s.rebuild()
}

// rebuild makes the index of the current instances and publishes it.
func (s *Store) rebuild() {
	x := &storeIndex{exact: map[string][]*sniEntry{}, suffix: map[string][]*sniEntry{}}
	for _, in := range s.insts {
		c, conf, names := in.fixed, in.conf, in.names
		if in.ck != nil {
			if in.ck.cert == nil {
				continue
			}
			c = &in.ck.cert.TLS
			if names == nil {
				names = in.ck.cert.Names
			}
		}
		if in.base != nil {
			conf = in.base.Clone()
			conf.Certificates = []tls.Certificate{*c}
		}
		x.add(c, names, conf)
	}
	s.idx.Store(x)
}

func (x *storeIndex) add(c *tls.Certificate, names []string, conf *tls.Config) {
	e := &sniEntry{cert: c, conf: conf, tls13: withoutSCTs(c)}
	if x.def == nil {
		x.def = e
	}
	for _, n := range names {
		if neg, ok := strings.CutPrefix(n, "!"); ok {
			if e.neg == nil {
				e.neg = map[string]bool{}
			}
			e.neg[strings.ToLower(neg)] = true
		}
	}
	for _, n := range names {
		n = strings.ToLower(n)
		switch {
		case strings.HasPrefix(n, "!"):
		case strings.HasPrefix(n, "*."):
			x.suffix[n[1:]] = append(x.suffix[n[1:]], e)
		default:
			x.exact[n] = append(x.exact[n], e)
		}
	}
}

// def is the current default entry (nil: none).
func (s *Store) def() *sniEntry {
	if x := s.idx.Load(); x != nil {
		return x.def
	}
	return nil
}

func (s *Store) entries(name string) []*sniEntry {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	x := s.idx.Load()
	if name == "" || x == nil {
		return nil
	}
	// The index's own slices are handed out when nothing is added to or
	// filtered out of them (callers only read), so that picking the
	// certificate of a handshake costs no allocation.
	exact := x.exact[name]
	var wild []*sniEntry
	if i := strings.IndexByte(name, '.'); i >= 0 {
		wild = x.suffix[name[i:]]
	}
	if len(wild) == 0 {
		return exact
	}
	if len(exact) == 0 && !slices.ContainsFunc(wild, func(e *sniEntry) bool { return e.neg[name] }) {
		return wild
	}
	out := exact[:len(exact):len(exact)] // appending copies
	for _, e := range wild {
		if !e.neg[name] {
			out = append(out, e)
		}
	}
	return out
}

// Candidates are the certificates indexed for a server name, exact names
// before wildcards (nil: the default applies).
func (s *Store) Candidates(name string) []*tls.Certificate {
	var out []*tls.Certificate
	for _, e := range s.entries(name) {
		out = append(out, e.cert)
	}
	return out
}

// pick is the entry serving a ClientHello; nil under strict-sni when
// none does.
func (s *Store) pick(h *tls.ClientHelloInfo) *sniEntry {
	cands := s.entries(h.ServerName)
	if len(cands) == 0 && h.ServerName != "" && s.Forge != nil {
		// generate-certificates: before strict-sni and the default,
		// as HAProxy's SNI callback does.
		if c, err := s.Forge.Get(h.ServerName); err == nil {
			return &sniEntry{cert: c}
		}
	}
	if len(cands) == 0 {
		if s.Strict {
			return nil
		}
		return s.def()
	}
	if len(cands) == 1 {
		return cands[0] // served whether the client can use it or not
	}
	for _, e := range cands {
		if _, ok := e.cert.PrivateKey.(*ecdsa.PrivateKey); ok && h.SupportsCertificate(e.cert) == nil {
			return e
		}
	}
	for _, e := range cands {
		if h.SupportsCertificate(e.cert) == nil {
			return e
		}
	}
	return cands[0]
}

// Get is tls.Config.GetCertificate.
func (s *Store) Get(h *tls.ClientHelloInfo) (*tls.Certificate, error) {
	e := s.pick(h)
	if e == nil {
		return nil, fmt.Errorf("no certificate for %q (strict-sni)", h.ServerName)
	}
	// The connection learns which one it served (ssl_f_* fetches).
	if r, ok := h.Conn.(interface{ ServedCertificate(*tls.Certificate) }); ok {
		r.ServedCertificate(e.cert)
	}
	if e.tls13 != nil && s.speaksTLS13(h, e) {
		return e.tls13, nil
	}
	return e.cert, nil
}

// ConfigFor is tls.Config.GetConfigForClient for a store with crt-list
// entries: the settings of the entry that serves the name (nil: the
// bind's own, whose GetCertificate then picks the same entry).
func (s *Store) ConfigFor(h *tls.ClientHelloInfo) (*tls.Config, error) {
	e := s.pick(h)
	if e == nil {
		return nil, fmt.Errorf("no certificate for %q (strict-sni)", h.ServerName)
	}
	return e.conf, nil
}

// encryptedKey reports a PEM private key under a pass phrase, which
// HAProxy 2.6 cannot read without a terminal and takes for no key
// (parser/haproxy.EncryptedKey, which -c reports from).
func encryptedKey(b *pem.Block) bool {
	return b.Type == "ENCRYPTED PRIVATE KEY" || strings.Contains(b.Headers["Proc-Type"], "ENCRYPTED")
}
