package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// ssl_c_chain_der and ssl_fc_has_early, as HAProxy 2.6 gives them on
// OpenSSL 3.0.
func init() {
	bin := haproxy.SampleBin
	// The certificates the client sent after its own (OpenSSL's server
	// side peer chain leaves the peer's certificate out), concatenated;
	// no value when it sent none, or only its own, or on a resumed
	// session (no chain then).
	fetches["ssl_c_chain_der"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		if r.TLS == nil || r.TLS.DidResume || len(r.TLS.PeerCertificates) < 2 {
			return false
		}
		var b []byte
		for _, c := range r.TLS.PeerCertificates[1:] {
			b = append(b, c.Raw...)
		}
		return yield(value{t: bin, s: string(b)})
	})}
	// Early data are never accepted (allow-0rtt is refused): false on
	// every TLS connection, no value in clear text.
	fetches["ssl_fc_has_early"] = fetchDef{out: haproxy.SampleBool, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && yield(boolValue(false))
	})}
}
