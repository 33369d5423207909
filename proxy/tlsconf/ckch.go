package tlsconf

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Registry is HAProxy's certificate store ("ckch stores") and its
// crt-lists: every certificate file the binds load, once per path, with
// the binds that serve it, so that the runtime API can replace a
// certificate (`set ssl cert` + `commit ssl cert`) or edit a crt-list
// and the next handshake of every bind serving it uses the new one,
// without a reload. One Registry serves one loaded configuration.
type Registry struct {
	mu    sync.Mutex
	certs map[string]*ckch
	lists map[string]*crtList
	txn   *certTxn
	// ca-files and crl-files by path, and their transactions (cafile.go)
	caFiles, crlFiles map[string]*caStore
	caTxn, crlTxn     *caTxn
	rings             []*ticketRing // tls-ticket-keys files (ticketring.go)
	// warnings of the files loaded since the last bind took them
	// (Bind.Server passes them to its Warn)
	warnings []string
	// tune are the global settings of companion files and chains
	// (SetTune; nil: HAProxy's defaults)
	tune *haproxy.TLSTune
}

// SetTune gives the Registry the global settings of the companion files
// and chains of the certificates it loads from then on (loadopts.go).
func (r *Registry) SetTune(t *haproxy.TLSTune) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tune = t
}

// ckch is one certificate file of the Registry.
type ckch struct {
	path  string
	cert  *Cert        // nil: made empty by `new ssl cert`
	insts []*storeInst // where binds serve it
}

// certTxn is the one ongoing `set ssl cert` transaction.
type certTxn struct {
	path string
	cert *Cert
}

// crtList is one crt-list file (or crt directory) and the binds using it.
type crtList struct {
	path    string
	dir     bool // a crt directory: its entries are its files
	entries []*crtListEntry
	binds   []listBind
	lines   int // the last line number given
}

// crtListEntry is one line of a crt-list.
type crtListEntry struct {
	ck      *ckch
	line    int
	opts    map[string]string
	filters []string
}

type listBind struct {
	b  Bind
	st *Store
}

// NewRegistry makes an empty Registry.
func NewRegistry() *Registry {
	return &Registry{certs: map[string]*ckch{}, lists: map[string]*crtList{}}
}

// loadCrt returns the certificates of a crt argument, loading the files
// the Registry does not hold yet: a file, or a directory's files in name
// order (each under "<dir>/<file>", as HAProxy names them).
func (r *Registry) loadCrt(path string) ([]*ckch, error) {
	if ck := r.certs[path]; ck != nil {
		return []*ckch{ck}, nil
	}
	certs, err := loadCrt(path, r.tune)
	if err != nil {
		return nil, err
	}
	var out []*ckch
	for i := range certs {
		c := certs[i]
		ck := r.certs[c.Path]
		if ck == nil {
			ck = &ckch{path: c.Path, cert: &c}
			r.certs[c.Path] = ck
			if c.Warning != "" {
				r.warnings = append(r.warnings, c.Warning)
			}
		}
		out = append(out, ck)
	}
	return out, nil
}

// serve adds a certificate of the Registry to a bind's store.
func (r *Registry) serve(st *Store, in *storeInst) {
	in.st = st
	st.insts = append(st.insts, in)
	in.ck.insts = append(in.ck.insts, in)
}

// loadList returns the crt-list of a bind, read once per path.
func (r *Registry) loadList(path string, entries []ListEntry) (*crtList, error) {
	if l := r.lists[path]; l != nil {
		return l, nil
	}
	l := &crtList{path: path}
	for _, e := range entries {
		cks, err := r.loadCrt(e.Crt)
		if err != nil {
			return nil, err
		}
		for _, ck := range cks {
			l.entries = append(l.entries, &crtListEntry{ck: ck, line: e.Line, opts: e.Options, filters: e.Filters})
		}
		l.lines = max(l.lines, e.Line)
	}
	if path != "" {
		r.lists[path] = l
	}
	return l, nil
}

// serveEntry makes a bind serve one crt-list line.
func (r *Registry) serveEntry(lb listBind, e *crtListEntry) error {
	base, err := lb.b.entryConf(e.opts)
	if err != nil {
		return fmt.Errorf("crt-list line %d: %v", e.line, err)
	}
	names := e.filters
	if len(names) == 0 {
		names = nil
	}
	if len(e.opts) == 0 {
		base = nil // the bind's own settings serve it
	}
	r.serve(lb.st, &storeInst{ck: e.ck, names: names, base: base, entry: e})
	return nil
}

// serveDir makes a bind serve a crt directory: a crt-list named after
// the directory (without its trailing slash), one entry per file, all
// numbered 0 as HAProxy numbers them.
func (r *Registry) serveDir(b Bind, st *Store, dir string) error {
	name := strings.TrimRight(dir, "/")
	l := r.lists[name]
	if l == nil {
		cks, err := r.loadCrt(dir)
		if err != nil {
			return err
		}
		l = &crtList{path: name, dir: true}
		for _, ck := range cks {
			l.entries = append(l.entries, &crtListEntry{ck: ck})
		}
		r.lists[name] = l
	}
	return r.serveList(l, b, st)
}

// DirPathError: a certificate added to a crt directory must be in it.
type DirPathError struct{ Dir, Crt string }

func (e *DirPathError) Error() string {
	return fmt.Sprintf("'%s' is a directory, certificate path '%s' must contain the directory path", e.Dir, e.Crt)
}

// DefaultCertError: the entry is the default certificate of binds (their
// "file:line"), which HAProxy refuses to delete.
type DefaultCertError struct{ Where []string }

func (e *DefaultCertError) Error() string {
	return "default certificate of " + strings.Join(e.Where, ", ")
}

// CertStatus is what `show ssl cert` says of a certificate file.
type CertStatus struct {
	Path   string
	Status string // "Used", "Unused" or "Empty"
	Cert   *Cert  // nil when Empty
}

// CertPaths are the Registry's certificate files in name order, and the
// file of the ongoing transaction ("": none).
func (r *Registry) CertPaths() (names []string, txn string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for p := range r.certs {
		names = append(names, p)
	}
	sort.Strings(names)
	if r.txn != nil {
		txn = r.txn.path
	}
	return names, txn
}

// Cert describes one certificate file; "*<file>" is the transaction's
// new certificate for it.
func (r *Registry) Cert(path string) (CertStatus, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if p, ok := strings.CutPrefix(path, "*"); ok {
		if r.txn == nil || r.txn.path != p {
			return CertStatus{}, false
		}
		return CertStatus{Path: path, Status: "Unused", Cert: r.txn.cert}, true
	}
	ck := r.certs[path]
	if ck == nil {
		return CertStatus{}, false
	}
	st := CertStatus{Path: path, Status: "Unused", Cert: ck.cert}
	switch {
	case ck.cert == nil:
		st.Status = "Empty"
	case len(ck.insts) > 0:
		st.Status = "Used"
	}
	return st, true
}

// Errors of the certificate commands; the runtime API words them as
// HAProxy does.
var (
	ErrNotReferenced = errors.New("not referenced")
	ErrNoTransaction = errors.New("no ongoing transaction")
	ErrExists        = errors.New("already exists")
	ErrInUse         = errors.New("in use")
	ErrEmpty         = errors.New("empty")
	ErrNoList        = errors.New("no such crt-list")
	ErrNotInList     = errors.New("not in crt-list")
	ErrOtherTxn      = errors.New("another transaction") // TxnError carries the file
)

// TxnError is ErrOtherTxn with the file of the ongoing transaction.
type TxnError struct{ Path string }

func (e *TxnError) Error() string { return "ongoing transaction for " + e.Path }
func (e *TxnError) Unwrap() error { return ErrOtherTxn }

// SetCert starts or updates the transaction with a PEM payload: the
// certificate, its chain and key (without a key, the current one is
// kept). updated is true when a transaction was already open; txnPath
// is the file the transaction is about.
func (r *Registry) SetCert(path string, payload []byte) (txnPath string, updated bool, err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	ck := r.certs[path]
	if ck == nil {
		return "", false, ErrNotReferenced
	}
	old := ck.cert
	if r.txn != nil && r.txn.path == path {
		old = r.txn.cert
	}
	c, err := parsePayload(path, payload, old)
	if err != nil {
		return "", false, err
	}
	if err := tuneOf(r.tune).chainOnly(c); err != nil {
		return "", false, err
	}
	if r.txn != nil {
		// HAProxy 2.6.12 keeps the transaction's file and takes the new
		// certificate whichever file was named.
		r.txn.cert = c
		return r.txn.path, true, nil
	}
	r.txn = &certTxn{path: path, cert: c}
	return path, false, nil
}

// parsePayload reads a `set ssl cert` payload.
func parsePayload(path string, payload []byte, old *Cert) (*Cert, error) {
	certPEM, keyPEM := split(payload)
	if len(certPEM) == 0 {
		return nil, fmt.Errorf("unable to load certificate from file '%s'.", path)
	}
	if len(keyPEM) == 0 {
		// The current key stays if it matches the new certificate;
		// otherwise the transaction has no key and cannot be committed.
		var priv any
		if old != nil {
			priv = old.TLS.PrivateKey
		}
		return certFrom(path, certPEM, nil, priv)
	}
	return certFrom(path, certPEM, keyPEM, nil)
}

// AbortCert drops the transaction of path.
func (r *Registry) AbortCert(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.txn == nil {
		return ErrNoTransaction
	}
	if r.txn.path != path {
		return &TxnError{Path: r.txn.path}
	}
	r.txn = nil
	return nil
}

// ErrNoKey: the transaction's certificate has no private key.
var ErrNoKey = errors.New("no private key")

// CommitCert puts the transaction's certificate in place: every bind
// serving the file serves the new one from the next handshake. It
// returns the number of places updated (HAProxy prints a dot for each).
func (r *Registry) CommitCert(path string) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.txn == nil {
		return 0, ErrNoTransaction
	}
	if r.txn.path != path {
		return 0, &TxnError{Path: r.txn.path}
	}
	if r.txn.cert.TLS.PrivateKey == nil {
		return 0, ErrNoKey
	}
	ck := r.certs[path]
	ck.cert = r.txn.cert
	r.txn = nil
	rebuildStores(ck.insts)
	return len(ck.insts), nil
}

func rebuildStores(insts []*storeInst) {
	done := map[*Store]bool{}
	for _, in := range insts {
		if st := in.st; st != nil && !done[st] {
			done[st] = true
			st.rebuild()
		}
	}
}

// NewCert makes an empty certificate file (`new ssl cert`).
func (r *Registry) NewCert(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.certs[path] != nil {
		return ErrExists
	}
	r.certs[path] = &ckch{path: path}
	return nil
}

// DelCert removes a certificate file no bind serves.
func (r *Registry) DelCert(path string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.txn != nil && r.txn.path == path {
		return &TxnError{Path: path}
	}
	ck := r.certs[path]
	if ck == nil {
		return ErrNotReferenced
	}
	if len(ck.insts) > 0 {
		return ErrInUse
	}
	delete(r.certs, path)
	return nil
}

// ListNames are the crt-lists in name order.
func (r *Registry) ListNames() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for p := range r.lists {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// ListLine is one crt-list entry as `show ssl crt-list` prints it.
type ListLine struct {
	Crt     string
	Line    int
	Options map[string]string
	Filters []string
}

// List returns the entries of a crt-list in order.
func (r *Registry) List(path string) ([]ListLine, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lists[path]
	if l == nil {
		return nil, false
	}
	out := make([]ListLine, 0, len(l.entries))
	for _, e := range l.entries {
		out = append(out, ListLine{Crt: e.ck.path, Line: e.line, Options: e.opts, Filters: e.filters})
	}
	return out, true
}

// AddListEntry appends a line to a crt-list (`add ssl crt-list`); every
// bind using the list serves it from the next handshake. It returns the
// number of binds (HAProxy prints a dot for each).
func (r *Registry) AddListEntry(list string, e ListEntry) (string, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lists[list]
	if l == nil {
		return "", 0, ErrNoList
	}
	if l.dir && filepath.Dir(e.Crt) != l.path {
		return e.Crt, 0, &DirPathError{Dir: l.path, Crt: e.Crt}
	}
	ck := r.certs[e.Crt]
	if ck == nil {
		return e.Crt, 0, ErrNotReferenced
	}
	if ck.cert == nil {
		return e.Crt, 0, ErrEmpty
	}
	l.lines++
	ent := &crtListEntry{ck: ck, line: l.lines, opts: e.Options, filters: e.Filters}
	for _, lb := range l.binds {
		if err := r.serveEntry(lb, ent); err != nil {
			return e.Crt, 0, err
		}
		lb.st.rebuild()
	}
	l.entries = append(l.entries, ent)
	return e.Crt, len(l.binds), nil
}

// HasList reports whether a crt-list of that file is loaded.
func (r *Registry) HasList(path string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.lists[path] != nil
}

// DelListEntry removes a certificate's line from a crt-list (line 0:
// its first line).
func (r *Registry) DelListEntry(list, crt string, line int) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	l := r.lists[list]
	if l == nil {
		return ErrNoList
	}
	ck := r.certs[crt]
	if ck == nil {
		return ErrNotReferenced
	}
	if ck.cert == nil {
		return ErrEmpty
	}
	for i, e := range l.entries {
		if e.ck != ck || (line != 0 && e.line != line) {
			continue
		}
		var where []string
		for _, lb := range l.binds {
			if len(lb.st.insts) > 0 && lb.st.insts[0].entry == e {
				where = append(where, lb.b.Where)
			}
		}
		if len(where) > 0 {
			return &DefaultCertError{Where: where}
		}
		l.entries = append(l.entries[:i:i], l.entries[i+1:]...)
		ck.insts = dropInsts(ck.insts, e)
		for _, lb := range l.binds {
			lb.st.insts = dropInsts(lb.st.insts, e)
			lb.st.rebuild()
		}
		return nil
	}
	return ErrNotInList
}

func dropInsts(in []*storeInst, e *crtListEntry) []*storeInst {
	out := in[:0:0]
	for _, x := range in {
		if x.entry == e {
			continue
		}
		out = append(out, x)
	}
	return out
}

// certFrom builds a Cert from PEM blocks (key nil: priv is the key).
func certFrom(path string, certPEM, keyPEM []byte, priv any) (*Cert, error) {
	var tc tls.Certificate
	if keyPEM != nil {
		var err error
		if tc, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
			return nil, fmt.Errorf("inconsistencies between private key and certificate loaded '%s'.", path)
		}
	} else {
		for rest := certPEM; ; {
			var b *pem.Block
			if b, rest = pem.Decode(rest); b == nil {
				break
			}
			tc.Certificate = append(tc.Certificate, b.Bytes)
		}
		leaf, err := x509.ParseCertificate(tc.Certificate[0])
		if err != nil {
			return nil, fmt.Errorf("unable to load certificate from file '%s'.", path)
		}
		if samePublicKey(leaf.PublicKey, priv) {
			tc.PrivateKey = priv
		}
	}
	c, err := finishCert(path, tc)
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// samePublicKey reports whether priv is the private half of pub.
func samePublicKey(pub any, priv any) bool {
	k, ok := priv.(crypto.Signer)
	if !ok {
		return false
	}
	eq, ok := k.Public().(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(pub)
}
