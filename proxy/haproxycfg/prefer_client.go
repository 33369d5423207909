package haproxycfg

import (
	"crypto/tls"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// prefer-client-ciphers (a bind option, or in ssl-default-bind-options):
// OpenSSL then takes the client's first suite the bind allows. goha does
// the same on a bind that cannot negotiate TLS 1.3 and lists its ciphers
// (tlsconf prefer_client.go; TestPreferClientCiphersDifferential). It is
// refused, saying why, on a bind that may negotiate TLS 1.3 (crypto/tls
// picks TLS 1.3 suites by its own order, AES-128-GCM first, ChaCha20 when
// the client prefers it, and lets no server change it), without a
// ciphers list (HAProxy's default list holds suites Go lacks) or with a
// crt-list (whose entries may set their own, at run time too); what keeps
// these refused is measured by TestPreferClientCiphersRefusalHolds.

// preferClientDefault takes prefer-client-ciphers out of an
// ssl-default-bind-options line into d and returns the other words.
func preferClientDefault(args []string, d *tlsDefaults) []string {
	out := args[:1:1]
	for _, a := range args[1:] {
		if a == "prefer-client-ciphers" {
			d.preferClient = true
			continue
		}
		out = append(out, a)
	}
	return out
}

// preferClient sets tb.PreferClient from the bind line and the defaults,
// or refuses the bind (false) where goha cannot choose as OpenSSL does.
func (b *builder) preferClient(bd haproxy.Bind, d tlsDefaults, tb *tlsconf.Bind) bool {
	_, own := bd.Options["prefer-client-ciphers"]
	if !own && !d.preferClient {
		return true
	}
	what := "bind option prefer-client-ciphers"
	if !own {
		what = "ssl-default-bind-options prefer-client-ciphers"
	}
	_, hi, _, err := tb.Versions.Range()
	switch {
	case err != nil:
		return true // refused by the bind's own build
	case hi >= tls.VersionTLS13:
		b.unsupported(bd.Pos, what+" on a bind allowing TLS 1.3 (add ssl-max-ver TLSv1.2): OpenSSL then takes the client's first suite (TLS_AES_256_GCM_SHA384 for openssl's own order); Go's crypto/tls picks TLS 1.3 suites by its own order (TLS_AES_128_GCM_SHA256 first, ChaCha20 when the client prefers it), which no setting changes")
		return false
	case tb.Ciphers == "":
		b.unsupported(bd.Pos, what+" without a ciphers list: HAProxy's default list holds suites Go's TLS lacks, which a client preferring one gets (ECDHE-ECDSA-AES256-SHA384, say)")
		return false
	case len(tb.List) > 0:
		b.unsupported(bd.Pos, what+" with a crt-list: its lines, and those add ssl crt-list adds, may allow TLS 1.3 or lack a ciphers list")
		return false
	}
	tb.PreferClient = true
	return true
}
