package tlsconf

import (
	"crypto/tls"
	"fmt"
	"strings"
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
}

// Served are the ALPN protocols goha speaks; offering another one (h2)
// would make a client speak what the proxy cannot read.
var Served = map[string]bool{"http/1.1": true, "http/1.0": true}

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
// unless NoTickets.
func (b Bind) Server() (*tls.Config, error) {
	var certs []Cert
	for _, c := range b.Crts {
		l, err := LoadCrt(c)
		if err != nil {
			return nil, err
		}
		certs = append(certs, l...)
	}
	st, err := NewStore(certs)
	if err != nil {
		return nil, fmt.Errorf("crt %s: %w", strings.Join(b.Crts, " "), err)
	}
	lo, hi, _, err := b.Versions.Range()
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{GetCertificate: st.Get, MinVersion: lo, MaxVersion: hi, SessionTicketsDisabled: b.NoTickets}
	if b.ALPN != "" {
		if cfg.NextProtos, err = ALPN(b.ALPN); err != nil {
			return nil, err
		}
	}
	if b.Ciphers != "" {
		if cfg.CipherSuites, err = Ciphers(b.Ciphers); err != nil {
			return nil, err
		}
	}
	if b.CipherSuites != "" {
		if err := CipherSuites(b.CipherSuites); err != nil {
			return nil, err
		}
	}
	return cfg, nil
}
