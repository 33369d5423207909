package haproxycfg

import (
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/proxyproto"
)

// serverPP2 maps send-proxy-v2-ssl, send-proxy-v2-ssl-cn and
// proxy-v2-options to the TLVs of the server's PROXY v2 header. The first
// two turn send-proxy-v2 on; options alone make HAProxy 2.6 send a PROXY
// header all the same, in v1 (which has no TLV). TLVs in health checks'
// headers stay unsupported.
func (b *builder) serverPP2(s *haproxy.Server, sv *proxy.Server) {
	var o proxyproto.V2Options
	if _, ok := s.Other["send-proxy-v2-ssl"]; ok {
		sv.SendProxy, o.SSL = 2, true
	}
	if _, ok := s.Other["send-proxy-v2-ssl-cn"]; ok {
		sv.SendProxy, o.SSL, o.SSLCN = 2, true, true
	}
	if v, ok := s.Other["proxy-v2-options"]; ok {
		for _, opt := range strings.Split(v, ",") {
			switch opt {
			case "ssl":
				o.SSL = true
			// the sub-TLV options imply ssl, as in HAProxy
			case "cert-cn":
				o.SSL, o.SSLCN = true, true
			case "ssl-cipher":
				o.SSL, o.SSLCipher = true, true
			case "cert-sig":
				o.SSL, o.SSLSigAlg = true, true
			case "cert-key":
				o.SSL, o.SSLKeyAlg = true, true
			case "authority":
				o.Authority = true
			case "crc32c":
				o.CRC32C = true
			case "unique-id":
				o.UniqueID = true
			}
		}
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
