package haproxycfg

import (
	"crypto/tls"
	"reflect"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// checkTLSKeys is what server s's TLS checks (cfg; nil: in clear) keep of
// their handshakes for the ssl_bc_session_id, ssl_bc_session_key and
// ssl_bc_unique_id px's check rules read (nil: none read); in TLS 1.3
// ssl_bc_session_key is the resumption PSK of the session's ticket
// (check/tlskeys.go). Reading ssl_bc_npn on a server with `npn` is
// refused: HAProxy's checks offer it, goha cannot.
func (b *builder) checkTLSKeys(px *haproxy.Proxy, s *haproxy.Server, cfg *tls.Config) *check.TLSKeys {
	used := checkKeyFetches(px)
	if _, npn := s.Other["npn"]; npn && used["ssl_bc_npn"] {
		b.unsupported(s.Pos, "fetch ssl_bc_npn in a health check of a server with npn: HAProxy's checks offer its protocols by NPN, which Go's TLS does not speak")
	}
	return tlsKeysFor(used, cfg)
}

// checkKeyFetches tells which TLS session fetches px's check rules read.
func checkKeyFetches(px *haproxy.Proxy) map[string]bool {
	names := []string{"ssl_bc_session_id", "ssl_bc_session_key", "ssl_bc_unique_id", "ssl_bc_npn"}
	return mentions(reflect.ValueOf([2][]haproxy.CheckStep{px.HTTPCheck.Rules, px.TCPCheck.Rules}), names, map[uintptr]bool{})
}

// tlsKeysFor is what TLS checks with cfg keep for the fetches used (nil:
// none read, or no TLS).
func tlsKeysFor(used map[string]bool, cfg *tls.Config) *check.TLSKeys {
	if cfg == nil || !used["ssl_bc_session_id"] && !used["ssl_bc_session_key"] && !used["ssl_bc_unique_id"] {
		return nil
	}
	k := &check.TLSKeys{SessionID: used["ssl_bc_session_id"], SessionKey: used["ssl_bc_session_key"], UniqueID: used["ssl_bc_unique_id"]}
	k.Install(cfg)
	return k
}
