package haproxycfg

import (
	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/proxyproto"
)

// serverPP2 maps the server's PROXY v2 TLV flags (send-proxy-v2-ssl,
// send-proxy-v2-ssl-cn, proxy-v2-options and the no- forms, in line
// order: parser server_pp2.go) to the TLVs of its PROXY v2 header. Flags
// without v2 (options alone, or left after no-send-proxy-v2-ssl cleared
// only the SSL one) make HAProxy 2.6 send a PROXY header all the same,
// in v1 (which has no TLV). TLVs in health checks' headers stay
// unsupported.
func (b *builder) serverPP2(s *haproxy.Server, sv *proxy.Server) {
	f := s.PP2
	o := proxyproto.V2Options{
		SSL: f&haproxy.PP2SSL != 0, SSLCN: f&haproxy.PP2SSLCN != 0, SSLCipher: f&haproxy.PP2SSLCipher != 0,
		SSLSigAlg: f&haproxy.PP2SSLSigAlg != 0, SSLKeyAlg: f&haproxy.PP2SSLKeyAlg != 0,
		Authority: f&haproxy.PP2Authority != 0, CRC32C: f&haproxy.PP2CRC32C != 0, UniqueID: f&haproxy.PP2UniqueID != 0,
	}
	sv.PP2 = o
	if o != (proxyproto.V2Options{}) && sv.SendProxy == 0 {
		sv.SendProxy = 1
	}
	// HAProxy's checks send the header with its TLVs (or, options
	// alone, a v1 line); goha's checks send none of them
	if o != (proxyproto.V2Options{}) && s.Check && (checkSendProxy(s) != 0 || sendProxy(s) == 0) {
		b.unsupported(s.Pos, "PROXY v2 TLVs in health checks")
	}
}

// sendProxy is the PROXY protocol version a server's connections start
// with: send-proxy-v2 wins over send-proxy, as in HAProxy.
func sendProxy(s *haproxy.Server) int {
	switch {
	case s.SendProxyV2:
		return 2
	case s.SendProxy:
		return 1
	}
	return 0
}

// checkSendProxy: HAProxy 2.6's health checks to a send-proxy server send
// the header too when they go to the traffic address (neither `port` nor
// `addr` set for checks); `check-send-proxy` makes them send it always,
// in the version of the traffic's (v2 with send-proxy-v2, else v1).
func checkSendProxy(s *haproxy.Server) int {
	switch {
	case s.CheckSendProxy && s.SendProxyV2:
		return 2
	case s.CheckSendProxy:
		return 1
	case s.Port != 0 || s.CheckAddr != "":
		return 0
	}
	return sendProxy(s)
}
