package haproxycfg

import (
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
)

// serverResolution fills the run-time DNS settings of a server with
// `resolvers`: the name to keep resolving, the section, the preferred
// family and the init-addr methods. A name that is an address needs no
// resolution (HAProxy resolves only FQDNs).
func (b *builder) serverResolution(s *haproxy.Server, sv *proxy.Server) {
	if m, ok := s.Other["init-addr"]; ok {
		sv.InitAddr = strings.Split(m, ",")
	}
	r, ok := s.Other["resolvers"]
	host := strings.Trim(s.Addr.Host, "[]")
	if _, err := netip.ParseAddr(host); !ok || err == nil {
		return
	}
	if strings.HasPrefix(host, "_") {
		b.unsupported(s.Pos, "server SRV record '"+host+"' (DNS SRV resolution)")
		return
	}
	var sec *haproxy.ResolversSection
	for _, rs := range b.cfg.Resolvers {
		if rs.Name == r {
			sec = rs
		}
	}
	if sec == nil {
		b.unsupported(s.Pos, "server resolvers '"+r+"' (no such resolvers section)")
		return
	}
	if len(sec.Nameservers) == 0 && !sec.ParseResolvConf {
		b.unsupported(s.Pos, "resolvers '"+r+"' without a nameserver")
		return
	}
	sv.FQDN, sv.Resolvers = host, r
	sv.PreferIPv4 = s.Other["resolve-prefer"] == "ipv4"
}
