package tlsconf

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
)

// Bind is what one `bind ... ssl` line asks of TLS, with crt-base already
// applied to Crts and the global ssl-default-bind-* values merged in.
type Bind struct {
	Crts         []string // files or directories, in order: the first certificate is the default
	ALPN         string   // comma-separated, as written ("" = none)
	Versions     Versions
	Ciphers      string // "" = Go's defaults
	CipherSuites string // "" = Go's defaults
	NoTickets    bool   // no-tls-tickets: resumption by ticket off
	// TicketKeys are tls-ticket-keys' keys, the encrypting one first
	// (nil: Go makes and rotates its own).
	TicketKeys [][]byte
	TicketFile string // the tls-ticket-keys file, for `set ssl tls-key`
	StrictSNI  bool   // strict-sni: no default certificate
	// CAFile (ca-base applied) and Verify ("", "none", "optional",
	// "required") ask for client certificates.
	CAFile, Verify string
	// CRLFile revokes client certificates (verify optional/required).
	CRLFile string
	// NoCANames is no-ca-names: the certificate request names no CA
	// (crypto/tls names those of ClientCAs, so the certificate is then
	// verified by VerifyPeerCertificate against the ca-file instead).
	NoCANames bool
	// CAVerifyFile is ca-verify-file (ca-base applied): CAs that verify
	// client certificates, beside ca-file's, without being named in the
	// certificate request. Not with ca-ignore-err/crt-ignore-err.
	CAVerifyFile string
	// CAIgnore and CrtIgnore are ca-ignore-err and crt-ignore-err (nil:
	// not given): with either, ClientVerify checks client certificates as
	// OpenSSL does, errors listed there let the handshake go on.
	CAIgnore, CrtIgnore *IgnoreSet
	// GenerateCA is ca-sign-file when the bind has generate-certificates
	// ("": no certificate is forged); GenerateCache is
	// tune.ssl.ssl-ctx-cache-size, the forged certificates kept.
	GenerateCA    string
	GenerateCache int
	// Curves is `curves` (a colon list) or `ecdhe` (one curve), OpenSSL
	// names; "" = Go's defaults.
	Curves string
	// PreferClient is prefer-client-ciphers: a TLS 1.2 handshake takes
	// the client's first usable suite (prefer_client.go).
	PreferClient bool
	// SNI entries of a crt-list (crt_list.go), after the certificates of
	// Crts; nil without crt-list. ListPath is the crt-list's file.
	List     []ListEntry
	ListPath string
	// Registry holds the certificates for the runtime API (nil: a
	// private one); binds of one configuration share one.
	Registry *Registry
	// Where is the bind line's "file:line", for the runtime API's
	// messages.
	Where string
	// KeyLog, when set, collects each handshake's secrets
	// (tune.ssl.keylog on).
	KeyLog *KeyLog
	// Lifetime is tune.ssl.lifetime: older sessions are not resumed
	// (0: DefaultLifetime; lifetime.go).
	Lifetime time.Duration
	// Warn receives what loading the certificates warns of (nil:
	// dropped); a file the Registry already held warns no more.
	Warn func(string)
}

// Served are the ALPN protocols goha speaks; offering another one would
// make a client speak what the proxy cannot read.
var Served = map[string]bool{"h2": true, "http/1.1": true, "http/1.0": true}

// ALPN reads an `alpn` value; a protocol goha does not serve is an error.
func ALPN(v string) ([]string, error) {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p == "" {
			continue
		}
		if !Served[p] {
			return nil, fmt.Errorf("alpn %s: goha does not serve %s", v, p)
		}
		out = append(out, p)
	}
	return out, nil
}

// Server builds the crypto/tls server configuration of a bind. Session
// tickets are on (Go rotates their keys itself), as HAProxy's default,
// unless NoTickets. With ca-ignore-err or crt-ignore-err it also gives
// the verifier the handshakes use, whose errors the session reads for
// the ssl_c_* fetches (nil otherwise).
func (b Bind) Server() (*tls.Config, *ClientVerify, error) {
	r := b.Registry
	if r == nil {
		r = NewRegistry()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st := &Store{Strict: b.StrictSNI}
	for _, c := range b.Crts {
		if fi, err := os.Stat(c); err == nil && fi.IsDir() {
			// A directory is a crt-list of its files, as in HAProxy.
			if err := r.serveDir(b, st, c); err != nil {
				return nil, nil, err
			}
			continue
		}
		cks, err := r.loadCrt(c)
		if err != nil {
			return nil, nil, err
		}
		for _, ck := range cks {
			r.serve(st, &storeInst{ck: ck})
		}
	}
	if len(st.insts) == 0 && len(b.List) == 0 {
		return nil, nil, fmt.Errorf("crt %s: no certificate", strings.Join(b.Crts, " "))
	}
	cfg, verify, err := b.base()
	if err != nil {
		return nil, nil, err
	}
	if len(b.List) > 0 {
		if err := b.withList(r, st); err != nil {
			return nil, nil, err
		}
		live := cfg.GetConfigForClient // clientAuthLive's, or nil
		cfg.GetConfigForClient = st.ConfigFor
		if live != nil {
			// The bind's own settings, with the CA names of its
			// ca-file as committed (clientAuthLive).
			cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
				if c, err := st.ConfigFor(h); c != nil || err != nil {
					return c, err
				}
				return live(h)
			}
		}
	}
	st.rebuild()
	def := st.def()
	if def == nil {
		return nil, nil, fmt.Errorf("no certificate")
	}
	if b.GenerateCA != "" {
		if st.Forge, err = NewForge(b.GenerateCA, def.cert, b.GenerateCache); err != nil {
			return nil, nil, err
		}
	}
	cfg.GetCertificate = st.Get
	st.maxVersion = cfg.MaxVersion
	if b.PreferClient {
		preferClient(cfg) // prefer_client.go
	}
	for _, w := range r.warnings {
		if b.Warn != nil {
			b.Warn(w)
		}
	}
	r.warnings = nil
	return cfg, verify, nil
}

// base is a bind's settings but its certificates: versions, tickets,
// ALPN, ciphers, curves and client certificates (a crt-list entry's
// options are applied over a copy of it), and the ignore-err verifier.
func (b Bind) base() (*tls.Config, *ClientVerify, error) {
	lo, hi, _, err := b.Versions.Range()
	if err != nil {
		return nil, nil, err
	}
	cfg := &tls.Config{MinVersion: lo, MaxVersion: hi, SessionTicketsDisabled: b.NoTickets}
	if b.KeyLog != nil {
		cfg.KeyLogWriter = b.KeyLog
	}
	if len(b.TicketKeys) > 0 {
		if b.Registry != nil && b.TicketFile != "" && len(b.TicketKeys) >= 2 {
			b.Registry.useTicketKeys(cfg, b.TicketFile, b.TicketKeys)
		} else {
			cfg.SetSessionTicketKeys(TicketKeys(b.TicketKeys))
		}
	}
	sessionLifetime(cfg, b.Lifetime)
	if b.Curves != "" {
		if cfg.CurvePreferences, err = Curves(b.Curves); err != nil {
			return nil, nil, err
		}
	}
	if b.ALPN != "" {
		if cfg.NextProtos, err = ALPN(b.ALPN); err != nil {
			return nil, nil, err
		}
	}
	if b.Ciphers != "" {
		if cfg.CipherSuites, err = Ciphers(b.Ciphers); err != nil {
			return nil, nil, err
		}
	}
	if b.CipherSuites != "" {
		if err := CipherSuites(b.CipherSuites); err != nil {
			return nil, nil, err
		}
	}
	v, err := b.clientAuth(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, v, nil
}

// clientAuth sets the client certificate check as `verify` asks: none
// (HAProxy's default) requests no certificate, optional verifies one if
// the client sends it, required refuses a client without a valid one; the
// chain must lead to a certificate of ca-file. A certificate that fails
// verification ends the handshake in both modes, as HAProxy does without
// ca-ignore-err/crt-ignore-err.
func (b Bind) clientAuth(cfg *tls.Config) (*ClientVerify, error) {
	switch b.Verify {
	case "", "none":
		return nil, nil
	case "optional":
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	case "required":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		return nil, fmt.Errorf("verify %s", b.Verify)
	}
	if b.CAFile == "" && b.CAVerifyFile == "" {
		return nil, fmt.Errorf("verify is enabled but no CA file specified")
	}
	if b.CAVerifyFile != "" {
		return nil, b.clientAuthVerifyFile(cfg)
	}
	pool, err := LoadCAFile(b.CAFile)
	if err != nil {
		return nil, err
	}
	cfg.ClientCAs = pool // also the CA names the server sends
	if b.CAIgnore != nil || b.CrtIgnore != nil {
		v, err := b.clientAuthIgnoring(cfg)
		if b.NoCANames {
			cfg.ClientCAs = nil // verified by v, against the ca-file
		}
		return v, err
	}
	if b.Registry != nil {
		return nil, b.clientAuthLive(cfg)
	}
	if b.NoCANames {
		return nil, b.clientAuthNoNames(cfg, pool)
	}
	if b.CRLFile != "" {
		crl, err := LoadCRL(b.CRLFile)
		if err != nil {
			return nil, err
		}
		cfg.VerifyPeerCertificate = func(_ [][]byte, chains [][]*x509.Certificate) error { return crl.Check(chains) }
	}
	return nil, nil
}

// clientAuthLive verifies client certificates against the Registry's
// ca-file and crl-file, whose content the runtime API can replace
// (`set ssl ca-file` + `commit ssl ca-file`): Go asks for the
// certificate, verifyWith checks it as crypto/tls would, against the
// content current at the handshake. The CA names the server sends stay
// those of the file as loaded.
func (b Bind) clientAuthLive(cfg *tls.Config) error {
	ca, err := b.Registry.useCAFile(b.CAFile, false)
	if err != nil {
		return err
	}
	var crl *caStore
	if b.CRLFile != "" {
		if crl, err = b.Registry.useCAFile(b.CRLFile, true); err != nil {
			return err
		}
	}
	if cfg.ClientAuth == tls.RequireAndVerifyClientCert {
		cfg.ClientAuth = tls.RequireAnyClientCert
	} else {
		cfg.ClientAuth = tls.RequestClientCert
	}
	cfg.VerifyPeerCertificate = verifyWith(ca, crl)
	if b.NoCANames {
		cfg.ClientCAs = nil
		return nil
	}
	l := &liveCA{ca: ca, initial: ca.pool.Load(), cfg: cfg}
	cfg.ClientCAs = l.initial
	cfg.GetConfigForClient = l.forClient
	return nil
}

// clientAuthVerifyFile verifies client certificates against ca-file and
// ca-verify-file together (HAProxy loads both into one OpenSSL store) and
// names only ca-file's CAs in the certificate request (none with
// no-ca-names). The ca-file's content is the Registry's when there is
// one, so `set ssl ca-file` changes it as for other binds.
func (b Bind) clientAuthVerifyFile(cfg *tls.Config) error {
	if b.CAIgnore != nil || b.CrtIgnore != nil {
		return fmt.Errorf("ca-verify-file with ca-ignore-err or crt-ignore-err")
	}
	extra, err := LoadCACerts(b.CAVerifyFile)
	if err != nil {
		return err
	}
	ca := &caStore{}
	ca.pool.Store(x509.NewCertPool())
	if b.CAFile != "" {
		if b.Registry != nil {
			if ca, err = b.Registry.useCAFile(b.CAFile, false); err != nil {
				return err
			}
		} else if p, err := LoadCAFile(b.CAFile); err != nil {
			return err
		} else {
			ca.pool.Store(p)
		}
	}
	var crl *caStore
	if b.CRLFile != "" {
		if b.Registry != nil {
			if crl, err = b.Registry.useCAFile(b.CRLFile, true); err != nil {
				return err
			}
		} else {
			revs, err := LoadCRL(b.CRLFile)
			if err != nil {
				return err
			}
			crl = &caStore{crl: true}
			crl.revs.Store(revs)
		}
	}
	if cfg.ClientAuth == tls.RequireAndVerifyClientCert {
		cfg.ClientAuth = tls.RequireAnyClientCert
	} else {
		cfg.ClientAuth = tls.RequestClientCert
	}
	m := &mergedCA{ca: ca, extra: extra}
	cfg.VerifyPeerCertificate = func(raw [][]byte, chains [][]*x509.Certificate) error {
		st := &caStore{}
		st.pool.Store(m.pool())
		return verifyWith(st, crl)(raw, chains)
	}
	cfg.ClientCAs = nil
	if b.CAFile != "" && !b.NoCANames {
		l := &liveCA{ca: ca, initial: ca.pool.Load(), cfg: cfg}
		cfg.ClientCAs = l.initial
		cfg.GetConfigForClient = l.forClient
	}
	return nil
}

// mergedCA is a ca-file's current pool with ca-verify-file's CAs added,
// rebuilt when the ca-file's pool changes.
type mergedCA struct {
	ca    *caStore
	extra []*x509.Certificate
	mu    sync.Mutex
	base  *x509.CertPool
	out   *x509.CertPool
}

func (m *mergedCA) pool() *x509.CertPool {
	base := m.ca.pool.Load()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.out == nil || base != m.base {
		p := x509.NewCertPool()
		if base != nil {
			p = base.Clone()
		}
		for _, c := range m.extra {
			p.AddCert(c)
		}
		m.base, m.out = base, p
	}
	return m.out
}

// clientAuthNoNames verifies client certificates against pool (and the
// crl-file) without naming pool's CAs in the certificate request: Go asks
// for a certificate without checking it, verifyWith checks it as
// crypto/tls would have.
func (b Bind) clientAuthNoNames(cfg *tls.Config, pool *x509.CertPool) error {
	ca := &caStore{}
	ca.pool.Store(pool)
	var crl *caStore
	if b.CRLFile != "" {
		revs, err := LoadCRL(b.CRLFile)
		if err != nil {
			return err
		}
		crl = &caStore{crl: true}
		crl.revs.Store(revs)
	}
	if cfg.ClientAuth == tls.RequireAndVerifyClientCert {
		cfg.ClientAuth = tls.RequireAnyClientCert
	} else {
		cfg.ClientAuth = tls.RequestClientCert
	}
	cfg.ClientCAs = nil
	cfg.VerifyPeerCertificate = verifyWith(ca, crl)
	return nil
}

// TicketKeys turns tls-ticket-keys' keys (48 or 80 bytes, in OpenSSL's
// name/HMAC/AES layout) into crypto/tls ticket keys, in the same order: each
// is the SHA-256 of the file's key. Go seals tickets in its own format, so
// gohaproxy processes sharing a file resume each other's sessions, as
// HAProxy processes sharing one do; a ticket of one daemon is not
// readable by the other kind (the client then makes a full handshake).
func TicketKeys(keys [][]byte) [][32]byte {
	out := make([][32]byte, len(keys))
	for i, k := range keys {
		out[i] = sha256.Sum256(k)
	}
	return out
}

// clientAuthIgnoring sets a client certificate check with ignore-err
// sets: Go asks for the certificate without verifying it, the
// ClientVerify it returns verifies it and refuses only errors the sets
// do not list.
func (b Bind) clientAuthIgnoring(cfg *tls.Config) (*ClientVerify, error) {
	if b.CRLFile != "" {
		return nil, fmt.Errorf("crl-file with ca-ignore-err or crt-ignore-err")
	}
	v, err := b.clientVerify()
	if err != nil {
		return nil, err
	}
	if cfg.ClientAuth == tls.RequireAndVerifyClientCert {
		cfg.ClientAuth = tls.RequireAnyClientCert
	} else {
		cfg.ClientAuth = tls.RequestClientCert
	}
	if b.Registry != nil {
		// the ca-file is the runtime API's too: a commit changes what
		// the next handshake trusts and the CA names it sends
		if v.live, err = b.Registry.useCAFile(b.CAFile, false); err != nil {
			return nil, err
		}
		defer func() {
			if b.NoCANames {
				return
			}
			l := &liveCA{ca: v.live, initial: v.live.pool.Load(), cfg: cfg}
			cfg.ClientCAs = l.initial
			cfg.GetConfigForClient = l.forClient
		}()
	}
	cfg.VerifyPeerCertificate = func(raw [][]byte, _ [][]*x509.Certificate) error {
		certs := make([]*x509.Certificate, 0, len(raw))
		for _, r := range raw {
			c, err := x509.ParseCertificate(r)
			if err != nil {
				return err
			}
			certs = append(certs, c)
		}
		_, err := v.Check(certs, time.Now())
		return err
	}
	return v, nil
}

// clientVerify is the verifier of a bind with ca-ignore-err or
// crt-ignore-err and verify optional or required.
func (b Bind) clientVerify() (*ClientVerify, error) {
	roots, err := LoadCACerts(b.CAFile)
	if err != nil {
		return nil, err
	}
	v := &ClientVerify{Roots: roots}
	if b.CAIgnore != nil {
		v.CAIgnore = *b.CAIgnore
	}
	if b.CrtIgnore != nil {
		v.CrtIgnore = *b.CrtIgnore
	}
	return v, nil
}

// LoadCACerts reads the certificates of a ca-file.
func LoadCACerts(path string) ([]*x509.Certificate, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca-file %s: %v", path, err)
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
			return nil, fmt.Errorf("ca-file %s: %v", path, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("ca-file %s: no certificate", path)
	}
	return out, nil
}
