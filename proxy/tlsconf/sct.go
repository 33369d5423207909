package tlsconf

import (
	"crypto/tls"
	"slices"
)

// Signed certificate timestamps (a crt's ".sctl" companion, loadopts.go)
// go to TLS 1.2 (and older) clients asking for them, as HAProxy 2.6 sends
// them: through an OpenSSL custom extension of the ServerHello, which
// OpenSSL 3 does not carry into TLS 1.3 (measured: a TLS 1.3 client
// asking for them gets none from HAProxy). crypto/tls sends them in both,
// so a TLS 1.3 handshake is served the certificate without them.

// withoutSCTs is a copy of c without its timestamps (nil: it has none).
func withoutSCTs(c *tls.Certificate) *tls.Certificate {
	if len(c.SignedCertificateTimestamps) == 0 {
		return nil
	}
	cp := *c
	cp.SignedCertificateTimestamps = nil
	return &cp
}

// speaksTLS13 says whether the handshake of h goes on in TLS 1.3: the
// client offers it and the settings serving it allow it (crypto/tls then
// takes it, the client's preferred version).
func (s *Store) speaksTLS13(h *tls.ClientHelloInfo, e *sniEntry) bool {
	maxV := s.maxVersion
	if e.conf != nil {
		maxV = e.conf.MaxVersion
	}
	if maxV != 0 && maxV < tls.VersionTLS13 {
		return false
	}
	return slices.Contains(h.SupportedVersions, tls.VersionTLS13)
}
