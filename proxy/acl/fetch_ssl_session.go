package acl

import (
	"crypto/tls"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// ssl_fc_unique_id and ssl_fc_session_key, binary, in TLS 1.2 and
// before: the configuration refuses them when a bind allows TLS 1.3
// (proxy/haproxycfg tls_session_fetch.go), where OpenSSL gives values
// crypto/tls does not expose (the client's Finished on a full
// handshake, a resumption secret).
//
// ssl_fc_unique_id is what HAProxy reads (SSL_get_peer_finished on a
// full handshake, SSL_get_finished on a resumed one): the first
// Finished's verify data, RFC 5929's tls-unique, which crypto/tls keeps
// as ConnectionState.TLSUnique. ssl_fc_session_key is the master secret
// (proxy.FrontTLS.FrontSessionKey).
func init() {
	bin := haproxy.SampleBin
	fetches["ssl_fc_unique_id"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && r.TLS.Version < tls.VersionTLS13 && len(r.TLS.TLSUnique) > 0 &&
			yield(value{t: bin, s: string(r.TLS.TLSUnique)})
	})}
	fetches["ssl_fc_session_key"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && len(r.FrontSessionKey) > 0 && yield(value{t: bin, s: string(r.FrontSessionKey)})
	})}
}
