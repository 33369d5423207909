package haproxycfg

import (
	"testing"

	"github.com/goha-lb/goha/internal/testenv"
)

// TestServerTLSGlobalsMatchHAProxy: the global defaults of server TLS
// (ssl-server-verify, ssl-default-server-ciphersuites,
// ssl-default-server-options, ssl-provider default) beside HAProxy
// 2.6.12, and a server line's own options over them: the recording server
// sees the same TLS versions offered and taken, suite and resumption
// (serverTLSNotes).
func TestServerTLSGlobalsMatchHAProxy(t *testing.T) {
	t.Parallel()
	testenv.LookPath(t, "haproxy")
	matchServerTLS(t, "    ssl-server-verify none\n    ssl-default-server-ciphersuites TLS_AES_256_GCM_SHA384:TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256\n    ssl-provider default\n",
		[]tlsServerCase{
			{"verify none from ssl-server-verify", "ssl", ""},
			{"ciphersuites over the default", "ssl ciphersuites TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384", ""},
			{"default-server ciphersuites", "ssl", "ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"},
			{"verify none, TLS 1.2", "ssl verify none ssl-max-ver TLSv1.2", ""},
		})
	matchServerTLS(t, "    ssl-default-server-options ssl-max-ver TLSv1.2 no-tls-tickets\n",
		[]tlsServerCase{
			{"defaults", "ssl verify none", ""},
			{"ssl-max-ver TLSv1.3 over the default", "ssl verify none ssl-max-ver TLSv1.3", ""},
			{"tls-tickets over the default", "ssl verify none tls-tickets", ""},
			{"force-tlsv13 over the default", "ssl verify none force-tlsv13", ""},
			{"server TLS 1.1 only", "ssl verify none", "TLS11"},
		})
	matchServerTLS(t, "    ssl-default-server-options no-tlsv13\n",
		[]tlsServerCase{
			{"defaults", "ssl verify none", ""},
			{"ssl-min-ver TLSv1.3 over the default", "ssl verify none ssl-min-ver TLSv1.3", ""},
			{"force-tlsv13 over the default", "ssl verify none force-tlsv13", ""},
		})
}
