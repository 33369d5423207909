package haproxycfg

import (
	"net/netip"
	"strings"

	"github.com/goha-lb/goha/parser/haproxy"
	"github.com/goha-lb/goha/proxy"
	"github.com/goha-lb/goha/proxy/check"
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
	if _, err := netip.ParseAddr(host); err == nil {
		return
	}
	srv := strings.HasPrefix(host, "_")
	if !srv {
		sv.FQDN = host // show servers state's srv_fqdn, with or without resolvers
	}
	if !ok {
		if srv {
			b.unsupported(s.Pos, "server SRV record '"+host+"' without resolvers")
		}
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
	if len(sec.Nameservers) == 0 {
		b.unsupported(s.Pos, "resolvers '"+r+"' without a nameserver")
		return
	}
	sv.Resolvers = r
	sv.PreferIPv4 = s.Other["resolve-prefer"] == "ipv4"
	b.resolveOptions(s, sv)
	if srv {
		// a slot fed by SRV records: no name, address or port until a
		// record comes (init-addr does not apply), in MAINT (resolution)
		sv.SRV, sv.Addr, sv.AwaitDNS = host, ":0", true
	}
}

// resolveOptions reads resolve-opts (the last of allow-dup-ip and
// prevent-dup-ip wins) and resolve-net (kept as prefixes by the parser;
// an IPv4 mask with holes, which HAProxy takes, is not done).
func (b *builder) resolveOptions(s *haproxy.Server, sv *proxy.Server) {
	for _, o := range strings.Split(s.Other["resolve-opts"], ",") {
		switch o {
		case "allow-dup-ip":
			sv.AllowDupIP = true
		case "prevent-dup-ip":
			sv.AllowDupIP = false
		case "ignore-weight":
			sv.IgnoreWeight = true
		}
	}
	if v, ok := s.Other["resolve-net"]; ok {
		for _, n := range strings.Split(v, ",") {
			p, err := netip.ParsePrefix(n)
			if err != nil {
				b.unsupported(s.Pos, "server resolve-net '"+n+"' (a mask with holes)")
				continue
			}
			sv.ResolveNets = append(sv.ResolveNets, p)
		}
	}
}

// externalCheck is `option external-check`: the command and PATH, and
// the proxy's first listener for the arguments (a backend has none).
// `external-check command|path` in a defaults section are not carried to
// the proxies yet: unsupported.
func (b *builder) externalCheck(px *haproxy.Proxy) *check.ExternalProbe {
	for _, d := range b.cfg.Defaults {
		for _, st := range d.Raw {
			if st.Args[0] == "external-check" {
				b.unsupported(st.Pos, "external-check "+strings.Join(st.Args[1:2], "")+" in a defaults section")
			}
		}
	}
	p := &check.ExternalProbe{Command: px.ExternalCheck.Command, Path: px.ExternalCheck.Path}
	if px.Cap&haproxy.CapFrontend != 0 && len(px.Binds) > 0 && len(px.Binds[0].Addrs) > 0 {
		a := px.Binds[0].Addrs[0]
		p.ProxyAddr, p.ProxyPort = strings.Trim(a.Host, "[]"), a.PortRaw
	}
	return p
}
