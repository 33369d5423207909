package tlsconf

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/tls"
	"slices"
	"strings"
	"sync"
)

// prefer-client-ciphers, in TLS 1.2 and before: OpenSSL takes the
// client's first suite the bind allows that the handshake can use (the
// version, the certificate's key, a common curve for ECDHE), where
// crypto/tls takes its own order (measured on HAProxy 2.6.12 with
// openssl s_client -cipher lists:
// TestPreferClientCiphersDifferential). The handshake's configuration is
// then the bind's with that one suite, which crypto/tls can only take.
// haproxycfg allows it on binds that cannot negotiate TLS 1.3 (whose
// suites crypto/tls picks by its own order) and list their ciphers.

// preferClient wraps cfg's GetConfigForClient so that each TLS 1.2
// handshake is offered the client's first usable suite only.
func preferClient(cfg *tls.Config) {
	prev := cfg.GetConfigForClient
	var cache sync.Map // suiteConf -> *tls.Config
	cfg.GetConfigForClient = func(h *tls.ClientHelloInfo) (*tls.Config, error) {
		c, base := cfg, (*tls.Config)(nil)
		if prev != nil {
			pc, err := prev(h)
			if err != nil {
				return nil, err
			}
			if pc != nil {
				c, base = pc, pc
			}
		}
		id, ok := clientFirstSuite(c, h)
		if !ok {
			return base, nil
		}
		k := suiteConf{c, id}
		if v, ok := cache.Load(k); ok {
			return v.(*tls.Config), nil
		}
		one := c.Clone()
		one.CipherSuites = []uint16{id}
		if cacheable(&cache) {
			cache.Store(k, one)
		}
		return one, nil
	}
}

type suiteConf struct {
	c  *tls.Config
	id uint16
}

// cacheable bounds preferClient's cache (a GetConfigForClient that
// makes a configuration per handshake would grow it).
func cacheable(m *sync.Map) bool {
	n := 0
	m.Range(func(any, any) bool { n++; return n < 64 })
	return n < 64
}

// clientFirstSuite is the first of the client's suites that c allows
// and the handshake can use, as OpenSSL chooses without server
// preference; false when it cannot tell (TLS 1.3, an unknown key).
func clientFirstSuite(c *tls.Config, h *tls.ClientHelloInfo) (uint16, bool) {
	vers := uint16(0)
	for _, v := range h.SupportedVersions {
		if v >= c.MinVersion && (c.MaxVersion == 0 || v <= c.MaxVersion) && v > vers {
			vers = v
		}
	}
	if vers == 0 || vers >= tls.VersionTLS13 {
		return 0, false
	}
	var pub crypto.PublicKey
	if c.GetCertificate != nil {
		if crt, err := c.GetCertificate(h); err == nil && crt != nil {
			if s, ok := crt.PrivateKey.(crypto.Signer); ok {
				pub = s.Public()
			}
		}
	} else if len(c.Certificates) > 0 {
		if s, ok := c.Certificates[0].PrivateKey.(crypto.Signer); ok {
			pub = s.Public()
		}
	}
	var ecSign, rsaKey bool
	switch pub.(type) {
	case *ecdsa.PublicKey, ed25519.PublicKey:
		ecSign = true
	case *rsa.PublicKey:
		rsaKey = true
	default:
		return 0, false
	}
	ecdhe := commonCurve(c, h)
	known := knownSuites()
	for _, id := range h.CipherSuites {
		s := known[id]
		if s == nil || !slices.Contains(c.CipherSuites, id) || !slices.Contains(s.SupportedVersions, vers) {
			continue
		}
		switch {
		case strings.HasPrefix(s.Name, "TLS_ECDHE_ECDSA_"):
			if ecdhe && ecSign {
				return id, true
			}
		case strings.HasPrefix(s.Name, "TLS_ECDHE_RSA_"):
			if ecdhe && rsaKey {
				return id, true
			}
		case strings.HasPrefix(s.Name, "TLS_RSA_"):
			if rsaKey {
				return id, true
			}
		}
	}
	return 0, false
}

// knownSuites are crypto/tls's suites by id, made once.
var knownSuites = sync.OnceValue(func() map[uint16]*tls.CipherSuite {
	m := map[uint16]*tls.CipherSuite{}
	for _, s := range append(tls.CipherSuites(), tls.InsecureCipherSuites()...) {
		m[s.ID] = s
	}
	return m
})

// commonCurve says whether the client and c share a curve for a TLS 1.2
// ECDHE exchange, with uncompressed points.
func commonCurve(c *tls.Config, h *tls.ClientHelloInfo) bool {
	if len(h.SupportedPoints) > 0 && !slices.Contains(h.SupportedPoints, 0) {
		return false
	}
	ours := c.CurvePreferences
	if len(ours) == 0 {
		ours = []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521}
	}
	for _, id := range h.SupportedCurves {
		if slices.Contains(ours, id) && id != tls.X25519MLKEM768 {
			return true
		}
	}
	return false
}
