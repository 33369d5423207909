package haproxycfg

import (
	"crypto/tls"
	"net/netip"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
)

// ConnectOptions is what a server line gives the `tcp-check connect` and
// `http-check connect` rules with options of their own (ssl, sni, alpn,
// send-proxy, via-socks4): HAProxy 2.6 makes each such connection with
// the rule's options over the server's settings (internal/haproxycmd
// run_checkconnect.go builds the dialers).
type ConnectOptions struct {
	// TLS is the server's TLS settings with check-sni and check-alpn, for
	// rules with `ssl` (nil: the proxy has none); TLSKeys what they keep
	// for the rules' ssl_bc_session_* fetches (check_tlskeys.go).
	TLS     *tls.Config
	TLSKeys *check.TLSKeys
	// Socks4 is the server's `socks4` proxy (zero: none; `via-socks4`
	// is then ignored, as HAProxy does).
	Socks4 netip.AddrPort
	// SendProxy is the PROXY header version of a rule's `send-proxy`:
	// 2 with the server's send-proxy-v2, else 1.
	SendProxy int
}

func connectOptions(px *haproxy.Proxy, s *haproxy.Server, sv *proxy.Server, ruleTLS *tls.Config) ConnectOptions {
	o := ConnectOptions{TLS: ruleTLS, TLSKeys: tlsKeysFor(checkKeyFetches(px), ruleTLS), Socks4: sv.Socks4, SendProxy: 1}
	if s.SendProxyV2 {
		o.SendProxy = 2
	}
	return o
}
