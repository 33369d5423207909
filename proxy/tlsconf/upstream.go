package tlsconf

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
)

// Upstream is what one `server ... ssl` line asks of TLS towards the
// server, with the global ssl-default-server-* settings and
// ssl-server-verify already merged in.
type Upstream struct {
	// Verify is "required" (the chain must lead to CAFile) or "none".
	Verify  string
	CAFile  string
	CRLFile string // certificates it revokes are refused (verify required)
	// Crt is the client certificate presented to the server ("" = none).
	Crt string
	// VerifyHost is the name the certificate must carry when no SNI is
	// sent (the SNI wins when there is one, as in HAProxy 2.6); neither:
	// no name check.
	VerifyHost   string
	ALPN         string
	Versions     Versions
	Ciphers      string
	CipherSuites string
	NoTickets    bool
	// NoReuse is no-ssl-reuse: every connection makes a full handshake.
	NoReuse bool
	// Registry, when set, lists the ca-file and crl-file for the
	// runtime API (listServerCAFile).
	Registry *Registry
	// Tune are the global settings of Crt's companion files and chain
	// (nil: HAProxy's defaults; loadopts.go).
	Tune *haproxy.TLSTune
}

// Client builds the crypto/tls client configuration of a server. The
// chain and the name are checked by VerifyConnection (not Go's default
// check, which always wants a name) so that they follow HAProxy: the name
// is checked only against verifyhost or the SNI sent.
func (u Upstream) Client() (*tls.Config, error) {
	lo, hi, _, err := u.Versions.Range()
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{MinVersion: lo, MaxVersion: hi, InsecureSkipVerify: true}
	if !u.NoReuse {
		cfg.ClientSessionCache = tls.NewLRUClientSessionCache(0)
	}
	if u.NoTickets {
		noTickets(cfg, hi) // upstream_tickets.go
	}
	if u.ALPN != "" {
		if cfg.NextProtos, err = ALPN(u.ALPN); err != nil {
			return nil, err
		}
	}
	if u.Ciphers != "" {
		if cfg.CipherSuites, err = Ciphers(u.Ciphers); err != nil {
			return nil, err
		}
	}
	if u.CipherSuites != "" {
		if err := CipherSuites(u.CipherSuites); err != nil {
			return nil, err
		}
	}
	if u.Crt != "" {
		c, err := loadServed(u.Crt, u.Tune)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{c.TLS}
	}
	// The files are loaded whatever verify says, as HAProxy loads them.
	var pool *x509.CertPool
	if u.CAFile != "" {
		if pool, err = LoadCAFile(u.CAFile); err != nil {
			return nil, err
		}
	}
	var crl *Revoked
	if u.CRLFile != "" {
		if crl, err = LoadCRL(u.CRLFile); err != nil {
			return nil, err
		}
	}
	var liveCA, liveCRL *caStore
	if u.Registry != nil {
		if u.CAFile != "" {
			if liveCA, err = u.Registry.serverCAFile(u.CAFile, false, u.Crt != ""); err != nil {
				return nil, err
			}
		}
		if u.CRLFile != "" {
			if liveCRL, err = u.Registry.serverCAFile(u.CRLFile, true, u.Crt != ""); err != nil {
				return nil, err
			}
		}
	}
	switch u.Verify {
	case "none":
		return cfg, nil
	case "required":
	default:
		return nil, fmt.Errorf("verify %s", u.Verify)
	}
	if pool == nil {
		return nil, fmt.Errorf("verify is enabled but no CA file specified")
	}
	host := u.VerifyHost
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		if len(cs.PeerCertificates) == 0 {
			return errors.New("no server certificate")
		}
		inter := x509.NewCertPool()
		for _, c := range cs.PeerCertificates[1:] {
			inter.AddCert(c)
		}
		roots, revoked := pool, crl
		if liveCA != nil {
			roots = liveCA.pool.Load() // as last committed
		}
		if liveCRL != nil {
			revoked = liveCRL.revs.Load()
		}
		chains, err := cs.PeerCertificates[0].Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter})
		if err != nil {
			return err
		}
		if revoked != nil {
			if err := revoked.Check(chains); err != nil {
				return err
			}
		}
		// HAProxy checks the SNI it sent, and verifyhost only when it
		// sent none.
		name := cs.ServerName
		if name == "" {
			name = host
		}
		if name != "" && !HostMatches(cs.PeerCertificates[0], name) {
			return fmt.Errorf("server certificate does not match %q", name)
		}
		return nil
	}
	return cfg, nil
}

// LoadCAFile reads a PEM bundle of trusted certificates.
func LoadCAFile(path string) (*x509.CertPool, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca-file %s: %v", path, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("ca-file %s: no certificate", path)
	}
	return pool, nil
}

// HostMatches is HAProxy's server name check: a DNS SAN equal to name,
// or, when no SAN matched, a subject CN; a "*" left-most label covers
// exactly one label. Case-insensitive.
func HostMatches(c *x509.Certificate, name string) bool {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	for _, n := range c.DNSNames {
		if nameMatches(strings.ToLower(n), name) {
			return true
		}
	}
	for _, a := range c.Subject.Names {
		if a.Type.Equal([]int{2, 5, 4, 3}) {
			if s, ok := a.Value.(string); ok && nameMatches(strings.ToLower(s), name) {
				return true
			}
		}
	}
	return false
}

func nameMatches(pattern, name string) bool {
	if pattern == name {
		return true
	}
	rest, ok := strings.CutPrefix(pattern, "*.")
	if !ok {
		return false
	}
	_, tail, ok := strings.Cut(name, ".")
	return ok && tail == rest
}
