package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync/atomic"
	"time"
)

// caStore is one ca-file or crl-file of the Registry (HAProxy's
// cafile_entry): its certificates or revocation lists, swapped whole
// when the runtime API commits a new content, so that the next
// handshake of every bind using it verifies client certificates
// against the new one.
type caStore struct {
	path  string
	crl   bool
	certs []*x509.Certificate
	crls  *Revoked
	users int // binds verifying with it
	pool  atomic.Pointer[x509.CertPool]
	roots atomic.Pointer[[]*x509.Certificate] // the certs of pool
	revs  atomic.Pointer[Revoked]
}

// caTxn is the one ongoing `set ssl ca-file` (or crl-file) transaction.
type caTxn struct {
	path  string
	certs []*x509.Certificate
	crls  *Revoked
}

func (s *caStore) publish() {
	if s.crl {
		s.revs.Store(s.crls)
		return
	}
	p := x509.NewCertPool()
	for _, c := range s.certs {
		p.AddCert(c)
	}
	certs := s.certs
	s.roots.Store(&certs)
	s.pool.Store(p)
}

// parseCAs reads the certificates of a ca-file's PEM content.
func parseCAs(data []byte) ([]*x509.Certificate, error) {
	if b, _ := pem.Decode(data); b == nil {
		return nil, errNoPEM
	}
	var out []*x509.Certificate
	for rest := data; ; {
		var blk *pem.Block
		if blk, rest = pem.Decode(rest); blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errNoCert
	}
	return out, nil
}

var (
	errNoCert = errors.New("no certificate")
	errNoPEM  = errors.New("no PEM block")
)

// parsePEMCRLs reads the PEM revocation lists of a payload (none: an
// empty content).
func parsePEMCRLs(data []byte) (*Revoked, error) {
	if b, _ := pem.Decode(data); b == nil {
		return nil, errNoPEM
	}
	r := &Revoked{}
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			return r, nil
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
}

// useCAFile returns the Registry's store of a ca-file (crl false) or
// crl-file, read once per path, and counts one more bind using it.
func (r *Registry) useCAFile(path string, crl bool) (*caStore, error) {
	s, err := r.loadCAFile(path, crl)
	if err != nil {
		return nil, err
	}
	s.users++
	return s, nil
}

// serverCAFile puts a server's ca-file or crl-file in the store as
// HAProxy 2.6 does (measured: TestSSLCAFileServerMatchHAProxy). A server
// with a client certificate (crt) links it as a bind does: "Used", and
// what a commit puts in is what its next handshake verifies with (the
// store is returned). A server without one only lists it: "Unused", and
// its verification keeps the content it started with (nil).
func (r *Registry) serverCAFile(path string, crl, linked bool) (*caStore, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s, err := r.loadCAFile(path, crl)
	if err != nil || !linked {
		return nil, err
	}
	s.users++
	return s, nil
}

// loadCAFile returns the store of a ca-file or crl-file, reading the
// file the first time.
func (r *Registry) loadCAFile(path string, crl bool) (*caStore, error) {
	m := r.caMap(crl)
	if s := m[path]; s != nil {
		return s, nil
	}
	s := &caStore{path: path, crl: crl}
	if crl {
		rv, err := LoadCRL(path)
		if err != nil {
			return nil, err
		}
		s.crls = rv
	} else {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ca-file %s: %v", path, err)
		}
		if s.certs, err = parseCAs(data); err != nil {
			return nil, fmt.Errorf("ca-file %s: %v", path, err)
		}
	}
	s.publish()
	m[path] = s
	return s, nil
}

func (r *Registry) caMap(crl bool) map[string]*caStore {
	if crl {
		if r.crlFiles == nil {
			r.crlFiles = map[string]*caStore{}
		}
		return r.crlFiles
	}
	if r.caFiles == nil {
		r.caFiles = map[string]*caStore{}
	}
	return r.caFiles
}

func (r *Registry) caTxnOf(crl bool) **caTxn {
	if crl {
		return &r.crlTxn
	}
	return &r.caTxn
}

// verifyWith makes a client certificate be verified against the
// current content of a ca-file and crl-file of the Registry (crl nil:
// none), as crypto/tls would against fixed ones.
func verifyWith(ca, crl *caStore) func([][]byte, [][]*x509.Certificate) error {
	return func(raw [][]byte, _ [][]*x509.Certificate) error {
		if len(raw) == 0 {
			return nil // verify optional without a certificate
		}
		certs := make([]*x509.Certificate, len(raw))
		for i, b := range raw {
			c, err := x509.ParseCertificate(b)
			if err != nil {
				return err
			}
			certs[i] = c
		}
		opts := x509.VerifyOptions{Roots: ca.pool.Load(), Intermediates: x509.NewCertPool(),
			CurrentTime: time.Now(), KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}}
		for _, c := range certs[1:] {
			opts.Intermediates.AddCert(c)
		}
		chains, err := certs[0].Verify(opts)
		if err != nil {
			return err
		}
		if crl != nil {
			return crl.revs.Load().Check(chains)
		}
		return nil
	}
}

// CAStatus is what `show ssl ca-file|crl-file` says of one file.
type CAStatus struct {
	Path   string
	Status string // "Used" or "Unused"
	CRL    bool   // a crl-file
	Certs  []*x509.Certificate
	CRLs   []*x509.RevocationList
}

// CAFiles are the Registry's ca-files (crl false) or crl-files in name
// order, and the ongoing transaction (Path "": none).
func (r *Registry) CAFiles(crl bool) (files []CAStatus, txn CAStatus) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.caMap(crl) {
		files = append(files, s.status())
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	if t := *r.caTxnOf(crl); t != nil {
		txn = CAStatus{Path: "*" + t.path, Status: "Unused", Certs: t.certs, CRL: crl}
		if t.crls != nil {
			txn.CRLs = t.crls.lists
		}
	}
	return files, txn
}

func (s *caStore) status() CAStatus {
	st := CAStatus{Path: s.path, Status: "Unused", Certs: s.certs, CRL: s.crl}
	if s.crls != nil {
		st.CRLs = s.crls.lists
	}
	if s.users > 0 {
		st.Status = "Used"
	}
	return st
}

// CAFile describes one ca-file or crl-file; "*<file>" is the
// transaction's new content for it.
func (r *Registry) CAFile(path string, crl bool) (CAStatus, bool) {
	files, txn := r.CAFiles(crl)
	if strings.HasPrefix(path, "*") {
		return txn, txn.Path == path
	}
	for _, f := range files {
		if f.Path == path {
			return f, true
		}
	}
	return CAStatus{}, false
}

// SetCAFile starts or updates the transaction of a ca-file or crl-file
// with a PEM payload; updated is true when a transaction was open.
func (r *Registry) SetCAFile(path string, crl bool, payload []byte) (updated bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.caMap(crl)[path] == nil {
		return false, ErrNotReferenced
	}
	tp := r.caTxnOf(crl)
	if *tp != nil && (*tp).path != path {
		return false, &TxnError{Path: (*tp).path}
	}
	// As HAProxy 2.6, a payload without a block of the file's kind
	// makes an empty content; a payload without any PEM block is refused.
	t := &caTxn{path: path}
	if crl {
		t.crls, err = parsePEMCRLs(payload)
	} else if t.certs, err = parseCAs(payload); errors.Is(err, errNoCert) {
		err = nil
	}
	if err != nil {
		return false, err
	}
	updated = *tp != nil
	*tp = t
	return updated, nil
}

// CommitCAFile puts the transaction's content in place for the next
// handshakes; it returns the number of binds using the file.
func (r *Registry) CommitCAFile(path string, crl bool) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	tp := r.caTxnOf(crl)
	if *tp == nil {
		return 0, ErrNoTransaction
	}
	if (*tp).path != path {
		return 0, &TxnError{Path: (*tp).path}
	}
	s := r.caMap(crl)[path]
	s.certs, s.crls = (*tp).certs, (*tp).crls
	*tp = nil
	s.publish()
	return s.users, nil
}

// AbortCAFile drops the transaction of path.
func (r *Registry) AbortCAFile(path string, crl bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	tp := r.caTxnOf(crl)
	if *tp == nil {
		return ErrNoTransaction
	}
	if (*tp).path != path {
		return &TxnError{Path: (*tp).path}
	}
	*tp = nil
	return nil
}

// NewCAFile makes an empty ca-file or crl-file.
func (r *Registry) NewCAFile(path string, crl bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := r.caMap(crl)
	if m[path] != nil {
		return ErrExists
	}
	s := &caStore{path: path, crl: crl, crls: &Revoked{}}
	if !crl {
		s.crls = nil
	}
	m[path] = s
	return nil
}

// DelCAFile removes a ca-file or crl-file no bind uses.
func (r *Registry) DelCAFile(path string, crl bool) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if t := *r.caTxnOf(crl); t != nil && t.path == path {
		return &TxnError{Path: path}
	}
	m := r.caMap(crl)
	s := m[path]
	if s == nil {
		return ErrNotReferenced
	}
	if s.users > 0 {
		return ErrInUse
	}
	delete(m, path)
	return nil
}

// liveCA gives a bind the CA names of its ca-file as committed: the
// names crypto/tls sends are those of the config's ClientCAs, so once a
// commit changed the file, each handshake gets a copy of the bind's
// settings with the current pool (a shallow copy, taken at the
// handshake so that rotated ticket keys carry over).
type liveCA struct {
	ca      *caStore
	initial *x509.CertPool
	cfg     *tls.Config
}

func (l *liveCA) forClient(*tls.ClientHelloInfo) (*tls.Config, error) {
	p := l.ca.pool.Load()
	if p == l.initial {
		return nil, nil
	}
	c := l.cfg.Clone()
	c.ClientCAs = p
	return c, nil
}
