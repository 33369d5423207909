package acl

import (
	"crypto/tls"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// ssl_fc_unique_id and ssl_fc_session_key, binary.
//
// ssl_fc_unique_id is what HAProxy reads: SSL_get_peer_finished on a
// full handshake, SSL_get_finished on a resumed one. In TLS 1.2 and
// before that is the first Finished's verify data, RFC 5929's
// tls-unique, which crypto/tls keeps as ConnectionState.TLSUnique; in
// TLS 1.3 the client's Finished, the server's on a resumed session,
// read off the handshake's records (proxy.FrontTLS.FrontFinished).
//
// ssl_fc_session_key is the master secret, in TLS 1.2 and before
// (proxy.FrontTLS.FrontSessionKey): the configuration refuses it when a
// bind allows TLS 1.3 (proxy/haproxycfg tls_session_fetch.go), where
// OpenSSL gives a secret derived from the resumption master secret,
// which crypto/tls does not expose. ssl_bc_session_key is the same on
// the connection to the server (proxy.RequestInfo.ServerSessionKey),
// refused likewise on a server line that allows TLS 1.3.
func init() {
	bin := haproxy.SampleBin
	fetches["ssl_fc_unique_id"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		if r.TLS == nil {
			return false
		}
		v := r.TLS.TLSUnique
		if r.TLS.Version >= tls.VersionTLS13 {
			v = r.FrontFinished
		}
		return len(v) > 0 && yield(value{t: bin, s: string(v)})
	})}
	fetches["ssl_fc_session_key"] = fetchDef{out: bin, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		return r.TLS != nil && len(r.FrontSessionKey) > 0 && yield(value{t: bin, s: string(r.FrontSessionKey)})
	})}
	// The same of the connection the response came on (refused in
	// request rules as HAProxy; TLS 1.2 server lines only).
	fetches["ssl_bc_session_key"] = fetchDef{out: bin, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		k := r.ServerSessionKey()
		return len(k) > 0 && yield(value{t: bin, s: string(k)})
	})}
	// ssl_bc_unique_id: what HAProxy reads from the client side, the
	// server's Finished on a full handshake and the client's own on a
	// resumed one (not tls-unique in TLS 1.2: the second Finished), read
	// off the handshake's records (proxy.RequestInfo.ServerFinished).
	fetches["ssl_bc_unique_id"] = fetchDef{out: bin, use: useServerConn, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
		v := r.ServerFinished()
		return len(v) > 0 && yield(value{t: bin, s: string(v)})
	})}
}
