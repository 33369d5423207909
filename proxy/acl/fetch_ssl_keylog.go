package acl

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/tlsconf"
)

// The TLS 1.3 secrets of the client connection, with tune.ssl.keylog on
// (proxy.TLSCapture.KeyLog), as the key log wrote them: lower-case hex.
// No value without the setting, in TLS 1.2, or in clear text, as in
// HAProxy 2.6. The early secrets never have one: goha accepts no early
// data (allow-0rtt is refused), and OpenSSL derives them only for early
// data it accepts.
func init() {
	secret := func(pick func(*tlsconf.Secrets) string) fetchDef {
		return fetchDef{out: haproxy.SampleStr, build: noArgs(func(r *proxy.RequestInfo, yield func(value) bool) bool {
			if r.TLS == nil || r.FrontKeys == nil || !r.FrontKeys.Logged {
				return false
			}
			v := pick(r.FrontKeys)
			return v != "" && yield(strValue(v))
		})}
	}
	rows := map[string]fetchDef{
		"ssl_fc_client_handshake_traffic_secret": secret(func(s *tlsconf.Secrets) string { return s.ClientHandshake }),
		"ssl_fc_server_handshake_traffic_secret": secret(func(s *tlsconf.Secrets) string { return s.ServerHandshake }),
		"ssl_fc_client_traffic_secret_0":         secret(func(s *tlsconf.Secrets) string { return s.ClientTraffic0 }),
		"ssl_fc_server_traffic_secret_0":         secret(func(s *tlsconf.Secrets) string { return s.ServerTraffic0 }),
		"ssl_fc_client_early_traffic_secret":     secret(func(*tlsconf.Secrets) string { return "" }),
		"ssl_fc_early_exporter_secret":           secret(func(*tlsconf.Secrets) string { return "" }),
	}
	for k, v := range rows {
		fetches[k] = v
	}
}
