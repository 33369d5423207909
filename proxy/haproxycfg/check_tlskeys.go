package haproxycfg

import (
	"crypto/tls"
	"reflect"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy/check"
)

// checkTLSKeys is what server s's TLS checks (cfg; nil: in clear) keep of
// their handshakes for the ssl_bc_session_id, ssl_bc_session_key and
// ssl_bc_unique_id px's check rules read (nil: none read). Reading
// ssl_bc_session_key on a server whose checks allow TLS 1.3 is refused,
// as for traffic (tls12Fetches), and so is ssl_bc_npn on a server with
// `npn`, which HAProxy's checks offer and goha cannot.
func (b *builder) checkTLSKeys(px *haproxy.Proxy, s *haproxy.Server, cfg *tls.Config) *check.TLSKeys {
	names := []string{"ssl_bc_session_id", "ssl_bc_session_key", "ssl_bc_unique_id", "ssl_bc_npn"}
	used := mentions(reflect.ValueOf([2][]haproxy.CheckStep{px.HTTPCheck.Rules, px.TCPCheck.Rules}), names, map[uintptr]bool{})
	if _, npn := s.Other["npn"]; npn && used["ssl_bc_npn"] {
		b.unsupported(s.Pos, "fetch ssl_bc_npn in a health check of a server with npn: HAProxy's checks offer its protocols by NPN, which Go's TLS does not speak")
	}
	if cfg == nil || !used["ssl_bc_session_id"] && !used["ssl_bc_session_key"] && !used["ssl_bc_unique_id"] {
		return nil
	}
	if used["ssl_bc_session_key"] && (cfg.MaxVersion == 0 || cfg.MaxVersion >= tls.VersionTLS13) {
		b.unsupported(s.Pos, "fetch ssl_bc_session_key in a health check of a server allowing TLS 1.3 (add ssl-max-ver TLSv1.2): goha gives it in TLS 1.2 only; "+tls12Fetches[1].why)
		return nil
	}
	k := &check.TLSKeys{SessionID: used["ssl_bc_session_id"], SessionKey: used["ssl_bc_session_key"], UniqueID: used["ssl_bc_unique_id"]}
	k.Install(cfg)
	return k
}
