package haproxycfg

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/acl"
)

// connSource maps where connections to server s come from: its own
// `source` option, else its backend's `source` statement (HAProxy takes
// the server's whole, never mixing the two). s is nil for the dispatch
// address. A port range is the server's own: HAProxy gives each server,
// also those taking it from default-server, a range of its own.
func (b *builder) connSource(px *haproxy.Proxy, s *haproxy.Server) *proxy.ConnSource {
	src := px.Source
	if s != nil && s.Source != nil {
		src = s.Source
	}
	if src == nil {
		return nil
	}
	cs := &proxy.ConnSource{Addr: src.Addr, Port: uint16(src.Port), Interface: src.Interface, UseAddr: src.UseAddr}
	if src.PortHigh > 0 {
		cs.Port = 0
		cs.Range = proxy.NewPortRange(src.Port, src.PortHigh)
	}
	switch src.UseSrc {
	case haproxy.UseSrcAddr:
		cs.Use = proxy.SourceAddr
	case haproxy.UseSrcClient:
		cs.Use = proxy.SourceClient
	case haproxy.UseSrcClientIP:
		cs.Use = proxy.SourceClientIP
	case haproxy.UseSrcHdrIP:
		cs.Use = proxy.SourceHdrIP
		// HAProxy reads the header only for HTTP streams and not at
		// occurrence 0; otherwise its connections fail (500, IC).
		if px.Mode == "http" && src.HdrOcc != 0 && src.Hdr != "" {
			e, err := acl.CompileExpr(haproxy.ParseSample(fmt.Sprintf("hdr(%s,%d)", src.Hdr, src.HdrOcc)))
			if err != nil {
				b.unsupported(src.Pos, "source ... usesrc hdr_ip("+src.Hdr+"): "+err.Error())
				return cs
			}
			cs.Hdr = e.Text
		}
	}
	return cs
}

// serverNamespace is the server's `namespace`; `*`, the namespace the
// client's PROXY header names (its NETNS TLV), is refused: goha reads no
// NETNS TLV.
func (b *builder) serverNamespace(s *haproxy.Server) string {
	ns := s.Other["namespace"]
	if ns == "*" {
		b.unsupported(s.Pos, "server namespace * (the namespace of the PROXY header's NETNS TLV)")
		return ""
	}
	return ns
}

// withServer is check c connecting from sv's source with its socket
// options: HAProxy's health and agent checks take the server's.
func withServer(c CheckSpec, sv *proxy.Server) CheckSpec {
	c.Source, c.Sock = sv.Source, sv.ServerSock
	return c
}

// viaSocks4 is health check c of server s through its SOCKS4 proxy when
// s has check-via-socks4 (without a socks4 proxy HAProxy ignores it).
func viaSocks4(s *haproxy.Server, c CheckSpec, sv *proxy.Server) CheckSpec {
	if s.Set["check-via-socks4"] {
		c.Socks4 = sv.Socks4
	}
	return c
}

// bindTransparent marks listener a of a `bind ... transparent` line.
func bindTransparent(fe *proxy.Frontend, bd haproxy.Bind, a string) {
	if _, ok := bd.Options["transparent"]; !ok {
		return
	}
	if fe.Transparent == nil {
		fe.Transparent = map[string]bool{}
	}
	fe.Transparent[a] = true
}

// serverSocks4 is the SOCKS4 proxy server s is reached through (zero:
// none). SOCKS4 carries IPv4 only and goha resolves no name for it: a
// host name, a UNIX socket or an IPv6 server address is refused.
func (b *builder) serverSocks4(s *haproxy.Server) netip.AddrPort {
	a := s.Socks4
	if a == nil {
		return netip.AddrPort{}
	}
	host := strings.TrimSuffix(strings.TrimPrefix(a.Host, "["), "]")
	if host == "" || host == "*" {
		host = "0.0.0.0" // as HAProxy: any address, the local host's
	}
	ip, err := netip.ParseAddr(host)
	if a.Path != "" || a.FD > 0 || err != nil {
		b.unsupported(s.Pos, "server socks4 "+a.Raw+" (a host name or socket: goha takes an IP address)")
		return netip.AddrPort{}
	}
	if sip, err := netip.ParseAddr(s.Addr.Host); err == nil && !sip.Unmap().Is4() {
		b.unsupported(s.Pos, "server socks4 to an IPv6 server address")
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(ip.Unmap(), uint16(a.PortLow))
}
